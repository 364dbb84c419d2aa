/** Builds the Prometheus text exposition format (version 0.0.4). */
export class PrometheusText {
  private readonly parts: string[] = [];
  private readonly declared = new Set<string>();

  /** Adds one sample; HELP/TYPE lines are written the first time a metric name is seen. */
  sample(name: string, type: 'counter' | 'gauge', help: string, value: number, labels: Record<string, string> = {}): this {
    if (!this.declared.has(name)) {
      this.declared.add(name);
      this.parts.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    }
    const entries = Object.entries(labels);
    const labelText = entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
    this.parts.push(`${name}${labelText} ${formatValue(value)}`);
    return this;
  }

  toString(): string {
    return `${this.parts.join('\n')}\n`;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}
