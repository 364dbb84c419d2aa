import { createClient } from 'redis';
import { ProtocolError, toWireCode } from '../../protocol/ProtocolError.js';
import type { RemoteVertices } from '../dispatch/RemoteVertices.js';
import { toProtocolError } from '../dispatch/mapError.js';
import { silentLogger, type Logger } from '../util/Logger.js';
import { isBridgeId, parseBridgeStatus, parseClusterMessage, type BridgeStatus, type ClusterMessage } from './ClusterMessage.js';

function newClient(url: string) {
  // Without the offline queue, commands fail at once while Redis is away instead of piling up.
  return createClient({ url, socket: { connectTimeout: 5000 }, disableOfflineQueue: true });
}

type RedisClient = ReturnType<typeof newClient>;

export interface ClusterOptions {
  /** redis://host:port */
  redisUrl: string;
  /** Unique and stable per bridge: names its registry entries and its ledger chain. */
  bridgeId: string;
  /** How often the registry entries are refreshed and the status is published. Default 1000 ms. */
  heartbeatMs?: number;
  /** How long entries outlive the last heartbeat: a dead bridge's vertices vanish after it. Default 3 × heartbeat. */
  ttlMs?: number;
  /** How long a forwarded CUBE_MSG may take before UNAVAILABLE. Default 10 s. */
  requestTimeoutMs?: number;
  logger?: Logger;
}

/** What the node needs from its own bridge. */
export interface ClusterHost {
  /** Answers a CUBE_MSG another bridge forwarded here (Dispatcher.serveForwardedCubeMessage). */
  serveCubeMessage(payload: Uint8Array): Promise<Uint8Array>;
  /** This bridge's status for the events channel (without `bridge` and `at`). */
  status(): Omit<BridgeStatus, 'bridge' | 'at'>;
}

const PREFIX = 'konomi:';
const EVENTS = `${PREFIX}events`;
/** Deletes a registry key only while it still names us: a guest may have moved to another bridge. */
const DELETE_IF_OWNER = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
/**
 * Takes a registry key if it is free, renews it if it is ours, leaves it alone otherwise (1 =
 * ours now). Two bridges whose guests announce the same vertex: the first to claim it keeps it
 * while it heartbeats; the other takes over only after it let go (released, or expired) — no
 * flapping between two heartbeats that would each overwrite the other.
 */
const CLAIM = `local v = redis.call('GET', KEYS[1])
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`;

interface Pending {
  resolve(payload: Uint8Array): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * One bridge's membership in a cluster, over Redis:
 * - registry: `konomi:bridge:<id>` and `konomi:vertex:<cube>:<vertex>` → id, with a TTL that
 *   the heartbeat renews, so a bridge that dies drops out within `ttlMs`;
 * - request/reply: a CUBE_MSG for a vertex registered to another bridge is published on
 *   `konomi:req:<that id>`; the reply comes back on `konomi:rep:<our id>` (or UNAVAILABLE after
 *   the timeout, or at once when no one listens there);
 * - events: every heartbeat publishes this bridge's ledger head and κ on `konomi:events`;
 *   `peers()` holds the latest from every bridge.
 */
export class ClusterNode implements RemoteVertices {
  private readonly pending = new Map<number, Pending>();
  /** Registry keys of the vertices local guests host, renewed by each heartbeat. */
  private readonly localVertices = new Set<string>();
  /** Latest status of each bridge, with when we received it: freshness is judged by our clock, not the sender's. */
  private readonly statuses = new Map<string, { status: BridgeStatus; receivedAt: number }>();
  private readonly heartbeatMs: number;
  private readonly ttlMs: number;
  private readonly requestTimeoutMs: number;
  private readonly logger: Logger;
  private host: ClusterHost | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private nextId = 1;
  private closed = false;

  private constructor(
    readonly bridgeId: string,
    private readonly cmd: RedisClient,
    private readonly sub: RedisClient,
    options: ClusterOptions,
  ) {
    this.heartbeatMs = options.heartbeatMs ?? 1000;
    this.ttlMs = options.ttlMs ?? 3 * this.heartbeatMs;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.logger = options.logger ?? silentLogger;
  }

  static async connect(options: ClusterOptions): Promise<ClusterNode> {
    if (!isBridgeId(options.bridgeId)) throw new Error(`bridge id "${options.bridgeId}" must be 1-100 of A-Z a-z 0-9 . _ : -`);
    const cmd = newClient(options.redisUrl);
    const sub = newClient(options.redisUrl);
    const logger = options.logger ?? silentLogger;
    let lastError = '';
    for (const c of [cmd, sub]) {
      c.on('error', (err: unknown) => {
        const text = err instanceof Error ? err.message : String(err);
        if (text !== lastError) logger.warn(`redis: ${text}`);
        lastError = text;
      });
    }
    await cmd.connect();
    await sub.connect();
    const node = new ClusterNode(options.bridgeId, cmd, sub, options);
    await sub.subscribe(`${PREFIX}req:${node.bridgeId}`, (m) => node.onMessage(m));
    await sub.subscribe(`${PREFIX}rep:${node.bridgeId}`, (m) => node.onMessage(m));
    await sub.subscribe(EVENTS, (m) => node.onStatus(m));
    return node;
  }

  /** Starts serving forwarded requests and the heartbeat. */
  async start(host: ClusterHost): Promise<void> {
    this.host = host;
    await this.heartbeat();
    this.timer = setInterval(() => void this.heartbeat(), this.heartbeatMs);
    this.timer.unref();
  }

  /**
   * A local line announced these vertices in HELLO (they replace what that line had). A vertex
   * another live bridge already holds stays with it (see CLAIM); the heartbeat keeps trying, so
   * ours takes over once the other lets go. Resolves to the vertices this bridge holds now.
   */
  async registerVertices(vertices: ReadonlyArray<{ cube: number; vertex: number }>): Promise<Array<{ cube: number; vertex: number }>> {
    for (const v of vertices) this.localVertices.add(vertexKey(v.cube, v.vertex));
    const held = await Promise.all(vertices.map((v) => this.claim(vertexKey(v.cube, v.vertex))));
    const lost = vertices.filter((_, i) => !held[i]);
    if (lost.length > 0) this.logger.warn(`cluster: ${lost.map((v) => `cube ${v.cube} vertex ${v.vertex}`).join(', ')} already served by another bridge`);
    return vertices.filter((_, i) => held[i]);
  }

  private async claim(key: string): Promise<boolean> {
    return (await this.cmd.eval(CLAIM, { keys: [key], arguments: [this.bridgeId, String(this.ttlMs)] })) === 1;
  }

  /** A local line closed: its vertices are no longer served here. */
  async releaseVertices(vertices: ReadonlyArray<{ cube: number; vertex: number }>): Promise<void> {
    for (const v of vertices) this.localVertices.delete(vertexKey(v.cube, v.vertex));
    await Promise.all(vertices.map((v) => this.cmd.eval(DELETE_IF_OWNER, { keys: [vertexKey(v.cube, v.vertex)], arguments: [this.bridgeId] })));
  }

  /** The bridge that registered (cube, vertex), if its entry has not expired. */
  async hostOf(cube: number, vertex: number): Promise<string | undefined> {
    return (await this.cmd.get(vertexKey(cube, vertex))) ?? undefined;
  }

  /** Bridges whose registry entry is alive. */
  async members(): Promise<string[]> {
    // SCAN, not KEYS: KEYS blocks Redis for the whole keyspace (registry, vertices, everything else).
    const out: string[] = [];
    for await (const keys of this.cmd.scanIterator({ MATCH: `${PREFIX}bridge:*`, COUNT: 1000 })) {
      for (const k of keys) out.push(k.slice(`${PREFIX}bridge:`.length));
    }
    return [...new Set(out)].sort();
  }

  /** The latest status of each bridge heard from within the TTL, ours included. */
  peers(): BridgeStatus[] {
    const fresh = Date.now() - this.ttlMs;
    return [...this.statuses.values()]
      .filter((s) => s.receivedAt >= fresh)
      .map((s) => s.status)
      .sort((a, b) => a.bridge.localeCompare(b.bridge));
  }

  async forward(cube: number, vertex: number, payload: Uint8Array): Promise<Uint8Array | undefined> {
    const target = await this.hostOf(cube, vertex).catch(() => undefined);
    if (target === undefined || target === this.bridgeId) return undefined;
    const id = this.nextId++;
    const reply = new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ProtocolError('UNAVAILABLE', `cube ${cube} vertex ${vertex} is on bridge ${target}, which did not answer in ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
    const message: ClusterMessage = { t: 'req', id, from: this.bridgeId, payload: toBase64(payload) };
    const receivers = await this.cmd.publish(`${PREFIX}req:${target}`, JSON.stringify(message)).catch(() => 0);
    if (receivers === 0) {
      this.settle(id, new ProtocolError('UNAVAILABLE', `cube ${cube} vertex ${vertex} is on bridge ${target}, which is not connected`));
    }
    return reply;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const id of [...this.pending.keys()]) this.settle(id, new ProtocolError('UNAVAILABLE', 'bridge shutting down'));
    // Leave at once rather than after the TTL: others stop routing here.
    const keys = [...this.localVertices];
    const leave = Promise.all([
      ...keys.map((k) => this.cmd.eval(DELETE_IF_OWNER, { keys: [k], arguments: [this.bridgeId] })),
      this.cmd.del(`${PREFIX}bridge:${this.bridgeId}`),
    ]);
    // Redis may be gone already (a stack stopping): the TTL then cleans up.
    await withTimeout(leave, 1000);
    await withTimeout(this.sub.close(), 1000);
    await withTimeout(this.cmd.close(), 1000);
    for (const client of [this.sub, this.cmd]) if (client.isOpen) client.destroy();
  }

  private async heartbeat(): Promise<void> {
    if (this.closed || !this.host) return;
    const ttl = { expiration: { type: 'PX', value: this.ttlMs } } as const;
    const status: BridgeStatus = { ...this.host.status(), bridge: this.bridgeId, at: Date.now() };
    try {
      const multi = this.cmd.multi().set(`${PREFIX}bridge:${this.bridgeId}`, JSON.stringify(status), ttl);
      for (const key of this.localVertices) multi.eval(CLAIM, { keys: [key], arguments: [this.bridgeId, String(this.ttlMs)] });
      multi.publish(EVENTS, JSON.stringify(status));
      await multi.exec();
    } catch (err) {
      this.logger.warn(`cluster heartbeat failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private onMessage(text: string): void {
    const message = parseClusterMessage(text);
    if (!message) {
      this.logger.warn('cluster: malformed message ignored');
      return;
    }
    if (message.t === 'req') void this.serve(message.id, message.from, message.payload);
    else if (message.t === 'rep') this.settle(message.id, fromBase64(message.payload));
    else this.settle(message.id, ProtocolError.fromWire(message.code, message.message));
  }

  private async serve(id: number, from: string, payload: string): Promise<void> {
    let reply: ClusterMessage;
    try {
      if (!this.host) throw new ProtocolError('UNAVAILABLE', 'bridge starting');
      reply = { t: 'rep', id, payload: toBase64(await this.host.serveCubeMessage(fromBase64(payload))) };
    } catch (err) {
      const mapped = toProtocolError(err);
      reply = { t: 'err', id, code: toWireCode(mapped.code), message: mapped.message };
    }
    await this.cmd.publish(`${PREFIX}rep:${from}`, JSON.stringify(reply)).catch(() => undefined);
  }

  private settle(id: number, outcome: Uint8Array | Error): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if (outcome instanceof Error) pending.reject(outcome);
    else pending.resolve(outcome);
  }

  private onStatus(text: string): void {
    const status = parseBridgeStatus(text);
    if (status) this.statuses.set(status.bridge, { status, receivedAt: Date.now() });
  }
}

async function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

function vertexKey(cube: number, vertex: number): string {
  return `${PREFIX}vertex:${cube}:${vertex}`;
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function fromBase64(text: string): Uint8Array {
  const buf = Buffer.from(text, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
