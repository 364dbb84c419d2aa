/**
 * What the page reads from the bridge's REST and `/ws` APIs, decoded from untrusted JSON.
 * The parsers accept a bare array or the array wrapped in an object (`{ blocks: [...] }`), skip
 * malformed entries instead of failing the whole view, and bound every list.
 */

export interface BlockPoint {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly value: number;
  /** Which BlockArray (0 = the main one, the one the 3D view shows); absent means 0. */
  readonly array?: number;
}
export interface CubeKappa { readonly id: string; readonly kappa: number }
export interface LedgerHead { readonly index: number; readonly hash: string }
export interface LineStats {
  readonly name: string;
  readonly kind: string;
  readonly framesIn: number;
  readonly framesOut: number;
  readonly crcErrors: number;
  readonly retransmits: number;
}

export type CoreEvent =
  | { readonly event: 'block'; readonly blocks: BlockPoint[] }
  | { readonly event: 'kappa'; readonly cubes: CubeKappa[] }
  | { readonly event: 'ledger'; readonly head: LedgerHead }
  | { readonly event: 'lines'; readonly lines: LineStats[] };

export const MAX_LIST = 100_000;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The list itself, or the first array-valued field among `keys` of a wrapping object. */
function listOf(value: unknown, keys: readonly string[]): unknown[] {
  if (Array.isArray(value)) return value.slice(0, MAX_LIST);
  if (isObject(value)) {
    for (const key of keys) {
      const inner = value[key];
      if (Array.isArray(inner)) return inner.slice(0, MAX_LIST);
    }
  }
  return [];
}

export function parseBlock(value: unknown): BlockPoint | undefined {
  if (!isObject(value)) return undefined;
  const coord = Array.isArray(value['coord']) ? value['coord'] : undefined;
  const x = num(value['x'] ?? coord?.[0]);
  const y = num(value['y'] ?? coord?.[1]);
  const z = num(value['z'] ?? coord?.[2]);
  const v = num(value['value'] ?? value['v']);
  if (x === undefined || y === undefined || z === undefined || v === undefined) return undefined;
  const array = num(value['array']);
  return array === undefined || array === 0 ? { x, y, z, value: v } : { x, y, z, value: v, array };
}

export function parseBlocks(value: unknown): BlockPoint[] {
  // A single block event ({x,y,z,value}) is a list of one.
  if (parseBlock(value)) return [parseBlock(value) as BlockPoint];
  return listOf(value, ['blocks', 'cells', 'items']).map(parseBlock).filter((b): b is BlockPoint => b !== undefined);
}

export function parseCube(value: unknown): CubeKappa | undefined {
  if (!isObject(value)) return undefined;
  const rawId = value['id'] ?? value['cube'] ?? value['name'];
  const kappa = num(value['kappa'] ?? value['κ'] ?? value['meanKappa']);
  if ((typeof rawId !== 'string' && typeof rawId !== 'number') || kappa === undefined) return undefined;
  return { id: String(rawId), kappa };
}

export function parseCubes(value: unknown): CubeKappa[] {
  if (parseCube(value)) return [parseCube(value) as CubeKappa];
  return listOf(value, ['cubes', 'items']).map(parseCube).filter((c): c is CubeKappa => c !== undefined);
}

export function parseLedgerHead(value: unknown): LedgerHead | undefined {
  if (!isObject(value)) return undefined;
  const inner = isObject(value['head']) ? value['head'] : value;
  const hash = inner['hash'] ?? inner['headHash'];
  const index = num(inner['index'] ?? inner['height'] ?? inner['length'] ?? inner['seq']) ?? 0;
  if (typeof hash !== 'string' || hash.length > 256) return undefined;
  return { index, hash };
}

export function parseLine(value: unknown): LineStats | undefined {
  if (!isObject(value) || typeof value['name'] !== 'string') return undefined;
  const stats = isObject(value['stats']) ? value['stats'] : value;
  return {
    name: value['name'].slice(0, 200),
    kind: typeof value['kind'] === 'string' ? value['kind'].slice(0, 50) : '',
    framesIn: num(stats['framesIn']) ?? 0,
    framesOut: num(stats['framesOut']) ?? 0,
    crcErrors: num(stats['crcErrors']) ?? 0,
    retransmits: num(stats['retransmits']) ?? 0,
  };
}

export function parseLines(value: unknown): LineStats[] {
  return listOf(value, ['lines', 'items']).map(parseLine).filter((l): l is LineStats => l !== undefined);
}

/** A `/ws` push `{type:'event', event, data}`; anything else (replies, unknown events) is undefined. */
export function parseCoreEvent(message: unknown): CoreEvent | undefined {
  if (!isObject(message) || message['type'] !== 'event') return undefined;
  const data = message['data'];
  switch (message['event']) {
    case 'block':
      return { event: 'block', blocks: parseBlocks(data) };
    case 'kappa':
      return { event: 'kappa', cubes: parseCubes(data) };
    case 'ledger': {
      const head = parseLedgerHead(data);
      return head ? { event: 'ledger', head } : undefined;
    }
    case 'lines':
      return { event: 'lines', lines: parseLines(data) };
    default:
      return undefined;
  }
}
