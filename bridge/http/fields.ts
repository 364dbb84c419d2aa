import { CUBE_VERTEX_NAMES, Vertex, vertexByName } from '../../protocol/payloads/cubeMsg.js';
import { badField } from './HttpError.js';

/**
 * Where values come from: a parsed JSON document (a REST body, a /ws message), whose numbers
 * must be JSON numbers, or text (a query string, path parameters), where every value is a
 * string and a number must be written as JSON writes one.
 */
type Origin = 'json' | 'text';

/** JSON's number grammar: no hex, no blanks, no `Infinity`, no `+`, no leading zeros. */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * The fields of one request, read and validated in one place. Every number follows one rule: a
 * JSON number (in text: written in JSON's grammar), finite, within the field's range. Every
 * refusal is a 400 BAD_REQUEST whose message starts with the field's path (`z: is required`,
 * `cells[2].x: must be in 0..65535, got 70000`) and says what was wrong with what was sent.
 */
export class Fields {
  private constructor(
    private readonly values: Record<string, unknown>,
    private readonly origin: Origin,
    /** Path of this object inside the request ('' at the top): prefixes every field name. */
    private readonly prefix: string,
  ) {}

  /** A JSON object; anything else (null, an array, a number…) is refused naming `what`. */
  static json(value: unknown, what = 'body'): Fields {
    return new Fields(jsonObject(value, what), 'json', '');
  }

  /** A query string or path parameters. */
  static text(values: Record<string, unknown>): Fields {
    return new Fields(values, 'text', '');
  }

  has(name: string): boolean {
    return this.values[name] !== undefined;
  }

  /** The field's path in messages: `x`, `dims.x`, `cells[3].value`. */
  path(name: string): string {
    return this.prefix === '' ? name : `${this.prefix}.${name}`;
  }

  /** A finite number within [min, max] (default: any finite float64). */
  number(name: string, min = -Number.MAX_VALUE, max = Number.MAX_VALUE): number {
    const value = this.finite(name);
    if (value < min || value > max) throw badField(this.path(name), `must be in ${min}..${max}, got ${value}`);
    return value;
  }

  /** An integer within [min, max]. */
  int(name: string, min: number, max: number): number {
    const value = this.finite(name);
    if (!Number.isInteger(value)) throw badField(this.path(name), `must be an integer, got ${value}`);
    if (value < min || value > max) throw badField(this.path(name), `must be in ${min}..${max}, got ${value}`);
    return value;
  }

  optionalInt(name: string, min: number, max: number, fallback: number): number {
    return this.has(name) ? this.int(name, min, max) : fallback;
  }

  string(name: string, maxLength: number): string {
    const raw = this.present(name);
    if (typeof raw !== 'string') throw badField(this.path(name), `must be a string, got ${describe(raw)}`);
    if (raw.length > maxLength) throw badField(this.path(name), `is longer than ${maxLength} characters`);
    return raw;
  }

  optionalString(name: string, maxLength: number): string | undefined {
    return this.has(name) ? this.string(name, maxLength) : undefined;
  }

  /** A JSON array of strings, at most `maxItems` long, each at most `maxLength` characters. */
  strings(name: string, maxItems: number, maxLength: number): string[] {
    const raw = this.present(name);
    const path = this.path(name);
    if (!Array.isArray(raw)) throw badField(path, `must be an array of strings, got ${describe(raw)}`);
    if (raw.length > maxItems) throw badField(path, `holds at most ${maxItems} items, got ${raw.length}`);
    return raw.map((item: unknown, i) => {
      if (typeof item !== 'string') throw badField(`${path}[${i}]`, `must be a string, got ${describe(item)}`);
      if (item.length > maxLength) throw badField(`${path}[${i}]`, `is longer than ${maxLength} characters`);
      return item;
    });
  }

  /** One of a fixed set of words. */
  choice<T extends string>(name: string, choices: readonly T[]): T {
    const raw = this.string(name, 64);
    if (!(choices as readonly string[]).includes(raw)) throw badField(this.path(name), `must be ${orList(choices)}, got ${describe(raw)}`);
    return raw as T;
  }

  /** A nested JSON object. */
  object(name: string): Fields {
    const path = this.path(name);
    return new Fields(jsonObject(this.present(name), path), this.origin, path);
  }

  /** A JSON array of objects, at most `maxItems` long (absent: empty). */
  objects(name: string, maxItems: number): Fields[] {
    if (!this.has(name)) return [];
    const raw = this.values[name];
    const path = this.path(name);
    if (!Array.isArray(raw)) throw badField(path, `must be an array, got ${describe(raw)}`);
    if (raw.length > maxItems) throw badField(path, `holds at most ${maxItems} items, got ${raw.length}`);
    return raw.map((item, i) => new Fields(jsonObject(item, `${path}[${i}]`), this.origin, `${path}[${i}]`));
  }

  /**
   * A cube vertex by name (NEU…SWD, CENTRAL, case-insensitive, names from protocol's CubeVertex)
   * or wire number 0..8; with `wholeCube`, also ALL / CUBE / 255 for the whole cube.
   */
  vertex(name: string, options: { wholeCube?: boolean } = {}): number {
    const raw = this.present(name);
    const path = this.path(name);
    const names = `${CUBE_VERTEX_NAMES.join(', ')}${options.wholeCube ? ', ALL' : ''}`;
    const numbers = `0..8${options.wholeCube ? ' or 255' : ''}`;
    if (typeof raw === 'string' && !(this.origin === 'text' && JSON_NUMBER.test(raw))) {
      const byName = vertexByName(raw, options);
      if (byName === undefined) throw badField(path, `must be a vertex name (${names}) or number (${numbers}), got ${describe(raw)}`);
      return byName;
    }
    if (typeof raw !== 'string' && typeof raw !== 'number') throw badField(path, `must be a vertex name (${names}) or number (${numbers}), got ${describe(raw)}`);
    const value = this.finite(name);
    if (Number.isInteger(value) && ((value >= 0 && value <= 8) || (options.wholeCube === true && value === Vertex.CUBE))) return value;
    throw badField(path, `must be a vertex number (${numbers}) or name (${names}), got ${value}`);
  }

  private present(name: string): unknown {
    const raw = this.values[name];
    if (raw === undefined || (this.origin === 'text' && raw === '')) throw badField(this.path(name), 'is required');
    if (this.origin === 'text' && Array.isArray(raw)) throw badField(this.path(name), 'is given more than once');
    return raw;
  }

  /** The one rule for numbers. */
  private finite(name: string): number {
    const raw = this.present(name);
    const path = this.path(name);
    let value: number;
    if (this.origin === 'json') {
      if (typeof raw !== 'number') throw badField(path, `must be a JSON number, got ${describe(raw)}`);
      value = raw;
    } else {
      if (typeof raw !== 'string' || !JSON_NUMBER.test(raw)) throw badField(path, `must be a number written as in JSON (decimal), got ${JSON.stringify(raw)}`);
      value = Number(raw);
    }
    // JSON.parse turns 1e400 into Infinity; say why rather than print what JSON.stringify makes of it (null).
    if (!Number.isFinite(value)) throw badField(path, `must be finite: the number is beyond the float64 range (±${Number.MAX_VALUE})`);
    return value;
  }
}

function jsonObject(value: unknown, path: string): Record<string, unknown> {
  if (value === undefined) throw badField(path, 'is required');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badField(path, `must be a JSON object, got ${describe(value)}`);
  return value as Record<string, unknown>;
}

/** What a value was, for messages: `null`, `the string "0x1F"`, `an array`, `true`, `12`. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function orList(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]!}`;
}
