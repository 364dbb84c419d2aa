import { CodedError } from '../../protocol/errors/CodedError.js';

/** A command-line mistake: main prints the message and the usage text and exits with 2. */
export class UsageError extends CodedError<'USAGE'> {
  override readonly name = 'UsageError';

  constructor(message: string) {
    super('USAGE', message);
  }
}

export interface OptionSpec {
  /** 'flag' takes no value; 'string' and 'int' take the next argument (or --name=value). */
  readonly type: 'flag' | 'string' | 'int';
  readonly min?: number;
  readonly max?: number;
}

export interface ParsedArgs {
  readonly positional: string[];
  readonly options: Map<string, string | number | boolean>;
}

/** Parses `args` against a fixed option table; unknown options and bad values are UsageErrors. */
export function parseArgs(args: readonly string[], spec: Readonly<Record<string, OptionSpec>>): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | number | boolean>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const option = spec[name];
    if (!option) throw new UsageError(`unknown option --${name}`);
    if (option.type === 'flag') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      options.set(name, true);
      continue;
    }
    const raw = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    if (raw === undefined) throw new UsageError(`--${name} needs a value`);
    options.set(name, option.type === 'int' ? parseIntOption(name, raw, option) : raw);
  }
  return { positional, options };
}

function parseIntOption(name: string, raw: string, option: OptionSpec): number {
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (option.min !== undefined && value < option.min) throw new UsageError(`--${name} must be at least ${option.min}`);
  if (option.max !== undefined && value > option.max) throw new UsageError(`--${name} must be at most ${option.max}`);
  return value;
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options.get(name);
  return typeof value === 'string' ? value : undefined;
}

export function intOption(args: ParsedArgs, name: string): number | undefined {
  const value = args.options.get(name);
  return typeof value === 'number' ? value : undefined;
}

export function flagOption(args: ParsedArgs, name: string): boolean {
  return args.options.get(name) === true;
}
