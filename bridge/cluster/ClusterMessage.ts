/** What bridges say to each other over Redis pub/sub, as JSON. */
export type ClusterMessage =
  /** A CUBE_MSG request payload (base64) for a vertex hosted behind the receiving bridge. */
  | { readonly t: 'req'; readonly id: number; readonly from: string; readonly payload: string }
  /** Its reply payload (base64). */
  | { readonly t: 'rep'; readonly id: number; readonly payload: string }
  /** Or the protocol error it ended in (wire code and text). */
  | { readonly t: 'err'; readonly id: number; readonly code: number; readonly message: string };

/** A bridge's periodic state, published on the events channel. */
export interface BridgeStatus {
  readonly bridge: string;
  readonly http: string;
  readonly packet: string;
  /** This bridge's ledger chain: length and head hash (hex). */
  readonly ledgerLength: number;
  readonly ledgerHead: string;
  /** κ averages over the bridge's cubes and LLM nodes. */
  readonly cubeKappa: number;
  readonly llmKappa: number;
  readonly at: number;
}

/** Messages above this are refused before parsing: nothing legitimate comes close. */
export const MAX_CLUSTER_MESSAGE = 1 << 20;

const ID = /^[A-Za-z0-9._:-]{1,100}$/;

export function parseClusterMessage(text: string): ClusterMessage | undefined {
  const value = parseObject(text);
  if (!value || !Number.isSafeInteger(value.id)) return undefined;
  switch (value.t) {
    case 'req':
      return typeof value.payload === 'string' && typeof value.from === 'string' && ID.test(value.from)
        ? { t: 'req', id: value.id as number, from: value.from, payload: value.payload }
        : undefined;
    case 'rep':
      return typeof value.payload === 'string' ? { t: 'rep', id: value.id as number, payload: value.payload } : undefined;
    case 'err':
      return Number.isInteger(value.code) && typeof value.message === 'string'
        ? { t: 'err', id: value.id as number, code: value.code as number, message: value.message.slice(0, 1000) }
        : undefined;
    default:
      return undefined;
  }
}

export function parseBridgeStatus(text: string): BridgeStatus | undefined {
  const v = parseObject(text);
  if (!v || typeof v.bridge !== 'string' || !ID.test(v.bridge)) return undefined;
  const numbers = [v.ledgerLength, v.cubeKappa, v.llmKappa, v.at];
  if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n))) return undefined;
  if (typeof v.ledgerHead !== 'string' || typeof v.http !== 'string' || typeof v.packet !== 'string') return undefined;
  return {
    bridge: v.bridge,
    http: v.http,
    packet: v.packet,
    ledgerLength: v.ledgerLength as number,
    ledgerHead: v.ledgerHead,
    cubeKappa: v.cubeKappa as number,
    llmKappa: v.llmKappa as number,
    at: v.at as number,
  };
}

export function isBridgeId(id: string): boolean {
  return ID.test(id);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (text.length > MAX_CLUSTER_MESSAGE) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
