/**
 * The bridge's lifetime line counters from GET /metrics (Prometheus text): the dispatcher's totals
 * over every line it has carried, closed ones included, so they never go down when a line closes.
 */
export interface LineTotals {
  readonly framesIn: number;
  readonly framesOut: number;
  readonly crcErrors: number;
  readonly retransmits: number;
}

// Not a CodedError (protocol/errors): a failure of the page itself, shown in its error panel, never
// sent on the wire or in an HTTP answer, so it has no row in ERROR_TABLE.
export class MetricsDecodeError extends Error {
  readonly code = 'METRICS_DECODE';
  constructor(message: string) {
    super(message);
    this.name = 'MetricsDecodeError';
  }
}

/** Metric names in bridge/http/renderMetrics.ts. */
const METRICS = new Map<string, keyof LineTotals>([
  ['konomi_frames_received_total', 'framesIn'],
  ['konomi_frames_sent_total', 'framesOut'],
  ['konomi_crc_errors_total', 'crcErrors'],
  ['konomi_retransmits_total', 'retransmits'],
]);

/** Lines looked at; /metrics lists one block of samples per open line, so this bounds the work. */
const MAX_LINES = 20_000;

/** Reads the unlabelled `konomi_*_total` samples; a missing one is a MetricsDecodeError. */
export function parseLineTotals(text: string): LineTotals {
  const found: Partial<Record<keyof LineTotals, number>> = {};
  let start = 0;
  for (let n = 0; n < MAX_LINES && start < text.length; n++) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? text.length : end);
    start = end < 0 ? text.length : end + 1;
    if (line.startsWith('#')) continue;
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const key = METRICS.get(line.slice(0, space));
    if (!key) continue;
    const value = Number(line.slice(space + 1).trim().split(' ')[0]);
    if (Number.isFinite(value) && value >= 0) found[key] = value;
  }
  const { framesIn, framesOut, crcErrors, retransmits } = found;
  if (framesIn === undefined || framesOut === undefined || crcErrors === undefined || retransmits === undefined) {
    const missing = [...METRICS].filter(([, key]) => found[key] === undefined).map(([name]) => name);
    throw new MetricsDecodeError(`GET /metrics lacks ${missing.join(', ')}`);
  }
  return { framesIn, framesOut, crcErrors, retransmits };
}
