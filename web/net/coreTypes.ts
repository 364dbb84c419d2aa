/**
 * What the page reads from the bridge, decoded from untrusted JSON. Each parser reads exactly the
 * shape the bridge sends (bridge/http/createHttpApp.ts, bridge/service/KonomiService.ts,
 * bridge/service/CoreEvent.ts, bridge/http/JsonApi.ts): a wrong shape throws a CoreDecodeError (so
 * a bridge/page mismatch is visible on the page), malformed entries inside a list are skipped, and
 * every list is bounded.
 */
import { CUBE_VERTEX_NAMES } from '../../protocol/vocabulary/CubeVertex.js';

export interface BlockPoint {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly value: number;
  /** Which BlockArray (0 = the main one, the one the 3D view shows); absent means 0. */
  readonly array?: number;
  /** The write's ledger entry (a `block` event has it; GET /blocks does not). */
  readonly index?: number;
}
/** GET /blocks: a sample of at most `limit` active cells, and how many there are in all. */
export interface BlockSample { readonly total: number; readonly blocks: BlockPoint[] }
/**
 * A cube's κ; `vertexKappa` (κ of each vertex by wire number: the 8 corners, then CENTRAL) comes with
 * GET /cubes, not with the `kappa` event.
 */
export interface CubeKappa { readonly id: string; readonly kappa: number; readonly vertexKappa?: readonly number[] }
/** `index` is the last entry's index, -1 for an empty ledger. */
export interface LedgerHead { readonly length: number; readonly index: number; readonly hash: string }
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
  | { readonly event: 'lines'; readonly lines: LineStats[] }
  | { readonly event: 'vote'; readonly vote: VoteSummary };

/** What the page shows of a cube's choice vote (the bridge's `vote` event carries more). */
export interface VoteSummary {
  readonly cube: number;
  readonly query: string;
  readonly choice: string | null;
  readonly quorum: boolean;
  /** Share of the total weight that agreed with the choice, 0..1. */
  readonly share: number;
  /** Names of the vertices that voted for another choice. */
  readonly dissenting: readonly string[];
}

// Not a CodedError (protocol/errors): a failure of the page itself, shown in its error panel, never
// sent on the wire or in an HTTP answer, so it has no row in ERROR_TABLE.
export class CoreDecodeError extends Error {
  readonly code = 'CORE_DECODE';
  constructor(message: string) {
    super(message);
    this.name = 'CoreDecodeError';
  }
}

export const MAX_LIST = 100_000;
/** The ledger hash is SHA-256 in hex. */
const MAX_HASH = 128;
const MAX_NAME = 200;
/** A cube has 9 vertices (8 corners and CENTRAL); more entries than that are not a cube's. */
const MAX_VERTICES = 9;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Agents per machine the page lists (XP10 keeps six). */
const MAX_AGENT_ROWS = 16;

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function objectOf(value: unknown, what: string): Json {
  if (!isObject(value)) throw new CoreDecodeError(`${what}: expected an object`);
  return value;
}

/** `value[key]` as a list (bounded), or a CoreDecodeError naming the field. */
function listField(value: unknown, key: string, what: string): unknown[] {
  const list = objectOf(value, what)[key];
  if (!Array.isArray(list)) throw new CoreDecodeError(`${what}: "${key}" is not a list`);
  return list.slice(0, MAX_LIST);
}

function countField(value: Json, key: string, what: string): number {
  const n = num(value[key]);
  if (n === undefined || n < 0 || !Number.isInteger(n)) throw new CoreDecodeError(`${what}: "${key}" is not a count`);
  return n;
}

function defined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

/** One cell: `{x, y, z, value}` from GET /blocks, plus `array` (and `index`) in a `block` event. */
export function parseBlock(value: unknown): BlockPoint | undefined {
  if (!isObject(value)) return undefined;
  const x = num(value['x']);
  const y = num(value['y']);
  const z = num(value['z']);
  const v = num(value['value']);
  if (x === undefined || y === undefined || z === undefined || v === undefined) return undefined;
  const array = num(value['array']);
  const index = num(value['index']);
  return {
    x, y, z, value: v,
    ...(array === undefined || array === 0 ? {} : { array }),
    ...(index === undefined || !Number.isInteger(index) || index < 0 ? {} : { index }),
  };
}

/** GET /blocks → `{ total, blocks: [{x, y, z, value}] }`. */
export function parseBlockSample(value: unknown): BlockSample {
  const blocks = listField(value, 'blocks', 'GET /blocks').map(parseBlock).filter(defined);
  const total = countField(objectOf(value, 'GET /blocks'), 'total', 'GET /blocks');
  return { total: Math.max(total, blocks.length), blocks };
}

/** `{id, kappa}`: a cube from GET /cubes (which adds origin and vertexKappa) or a `kappa` event. */
export function parseCube(value: unknown): CubeKappa | undefined {
  if (!isObject(value)) return undefined;
  const id = num(value['id']);
  const kappa = num(value['kappa']);
  if (id === undefined || kappa === undefined) return undefined;
  const vertices = value['vertexKappa'];
  if (!Array.isArray(vertices)) return { id: String(id), kappa };
  const vertexKappa = vertices.slice(0, MAX_VERTICES).map(num);
  // All or nothing: a hole would shift CENTRAL (the last) into a corner's place.
  return vertexKappa.every(defined) && vertexKappa.length > 0 ? { id: String(id), kappa, vertexKappa } : { id: String(id), kappa };
}

/** GET /cubes → `{ cubes: [...] }`; the `kappa` event's data has the same `cubes` list (and the means). */
export function parseCubes(value: unknown): CubeKappa[] {
  return listField(value, 'cubes', 'cubes').map(parseCube).filter(defined);
}

/** GET /ledger/head and the `ledger` event → `{ length, index, hash }`. */
export function parseLedgerHead(value: unknown): LedgerHead {
  const head = objectOf(value, 'ledger head');
  const hash = head['hash'];
  if (typeof hash !== 'string' || hash.length > MAX_HASH || !/^[0-9a-f]*$/i.test(hash)) {
    throw new CoreDecodeError('ledger head: "hash" is not a hex string');
  }
  const length = countField(head, 'length', 'ledger head');
  const index = num(head['index']);
  if (index === undefined || !Number.isInteger(index) || index < -1) throw new CoreDecodeError('ledger head: "index" is not an entry index');
  return { length, index, hash };
}

/** A line snapshot of the dispatcher: `{ name, kind, stats: { framesIn, framesOut, crcErrors, retransmits, … }, … }`. */
export function parseLine(value: unknown): LineStats | undefined {
  if (!isObject(value) || typeof value['name'] !== 'string' || typeof value['kind'] !== 'string') return undefined;
  const stats = value['stats'];
  if (!isObject(stats)) return undefined;
  const framesIn = num(stats['framesIn']);
  const framesOut = num(stats['framesOut']);
  const crcErrors = num(stats['crcErrors']);
  const retransmits = num(stats['retransmits']);
  if (framesIn === undefined || framesOut === undefined || crcErrors === undefined || retransmits === undefined) return undefined;
  return { name: value['name'].slice(0, MAX_NAME), kind: value['kind'].slice(0, MAX_NAME), framesIn, framesOut, crcErrors, retransmits };
}

/** GET /lines → `{ lines: [...] }`. */
export function parseLines(value: unknown): LineStats[] {
  return listField(value, 'lines', 'GET /lines').map(parseLine).filter(defined);
}

/** One BASIC agent of an XP10 (GET /agents; protocol/payloads/agents.ts). */
export interface AgentRow {
  machine: string;
  id: number;
  name: string;
  state: string;
  /** "1/SED", or "" when it hosts no vertex. */
  hosts: string;
  statements: number;
  lastLine: string;
}

/** GET /agents → `{ machines: [{ name, agents: [...] }] }`, flattened to one row per agent. */
export function parseAgents(value: unknown): AgentRow[] {
  const rows: AgentRow[] = [];
  for (const machine of listField(value, 'machines', 'GET /agents')) {
    if (!isObject(machine) || typeof machine['name'] !== 'string' || !Array.isArray(machine['agents'])) continue;
    for (const a of machine['agents'].slice(0, MAX_AGENT_ROWS)) {
      if (!isObject(a) || typeof a['name'] !== 'string' || typeof a['state'] !== 'string') continue;
      const id = num(a['id']);
      const statements = num(a['statements']);
      if (id === undefined || statements === undefined) continue;
      const h = a['hosts'];
      const hosts = isObject(h) && num(h['cube']) !== undefined && num(h['vertex']) !== undefined ? `${num(h['cube'])}/${CUBE_VERTEX_NAMES[num(h['vertex'])!] ?? '?'}` : '';
      rows.push({
        machine: machine['name'].slice(0, MAX_NAME),
        id,
        name: a['name'].slice(0, MAX_NAME),
        state: a['state'].slice(0, MAX_NAME),
        hosts,
        statements,
        lastLine: typeof a['lastLine'] === 'string' ? a['lastLine'].slice(0, 80) : '',
      });
    }
  }
  return rows;
}

/** A `vote` event's data: `{ cube, query, choice, quorum, share, dissenting: [{ vertex, name }], … }`. */
export function parseVote(value: unknown): VoteSummary | undefined {
  if (!isObject(value)) return undefined;
  const cube = num(value['cube']);
  const share = num(value['share']);
  const choice = value['choice'];
  const dissenting = value['dissenting'];
  if (cube === undefined || share === undefined || typeof value['quorum'] !== 'boolean' || !Array.isArray(dissenting)) return undefined;
  if (choice !== null && typeof choice !== 'string') return undefined;
  const names = dissenting.slice(0, MAX_LIST).map((d) => (isObject(d) && typeof d['name'] === 'string' ? d['name'].slice(0, MAX_NAME) : undefined));
  if (names.some((n) => n === undefined)) return undefined;
  return {
    cube,
    query: typeof value['query'] === 'string' ? value['query'].slice(0, MAX_NAME) : '',
    choice: choice === null ? null : choice.slice(0, MAX_NAME),
    quorum: value['quorum'],
    share,
    dissenting: names as string[],
  };
}

/** A `/ws` push `{type:'event', event, data}`; anything else (replies, unknown or malformed events) is undefined. */
export function parseCoreEvent(message: unknown): CoreEvent | undefined {
  if (!isObject(message) || message['type'] !== 'event') return undefined;
  const data = message['data'];
  try {
    switch (message['event']) {
      case 'block': {
        const block = parseBlock(data);
        return block ? { event: 'block', blocks: [block] } : undefined;
      }
      case 'kappa':
        return { event: 'kappa', cubes: parseCubes(data) };
      case 'ledger':
        return { event: 'ledger', head: parseLedgerHead(data) };
      case 'vote': {
        const vote = parseVote(data);
        return vote ? { event: 'vote', vote } : undefined;
      }
      case 'lines':
        // The dispatcher's snapshot list itself, not wrapped as in GET /lines.
        if (!Array.isArray(data)) return undefined;
        return { event: 'lines', lines: data.slice(0, MAX_LIST).map(parseLine).filter(defined) };
      default:
        return undefined;
    }
  } catch (err) {
    if (err instanceof CoreDecodeError) return undefined;
    throw err;
  }
}
