import type { Disposable } from '../../protocol/Disposable.js';
import { isXp10HelloName } from '../../machine/phonebook.js';
import { Emitter, propagateListenerError } from '../../protocol/Emitter.js';
import type { Line } from '../../protocol/Line.js';
import { Opcode, opcodeName } from '../../protocol/constants.js';
import { ProtocolError } from '../../protocol/ProtocolError.js';
import { realClock } from '../../protocol/Clock.js';
import { ReplyCacheRegistry } from '../../protocol/ReplyCacheRegistry.js';
import { Session, emptySessionStats, type IncomingRequest, type SessionStats } from '../../protocol/Session.js';
import { decodeBlockGetRequest, encodeBlockGetReply } from '../../protocol/payloads/blockGet.js';
import { decodeBlockSetRequest, encodeBlockSetReply } from '../../protocol/payloads/blockSet.js';
import {
  decodeCubeMsgReply,
  decodeCubeMsgRequest,
  encodeCubeMsgReply,
  encodeCubeMsgRequest,
  Vertex,
  type CubeMsgRequest,
} from '../../protocol/payloads/cubeMsg.js';
import type { Hello } from '../../protocol/payloads/hello.js';
import { decodeLlmQueryRequest, encodeLlmQueryReply } from '../../protocol/payloads/llmQuery.js';
import { DEFAULT_TEACH_STEPS, decodeLlmTeachRequest, encodeLlmTeachReply } from '../../protocol/payloads/llmTeach.js';
import { decodeProgramRequest, encodeProgramReply, MAX_PROGRAM_TEXT, ProgramOperation } from '../../protocol/payloads/program.js';
import { encodeUtf8 } from '../../protocol/utf8.js';
import type { ProgramLibrary } from '../../core/programs/ProgramLibrary.js';
import { silentLogger, type Logger } from '../util/Logger.js';
import { RateLimitedLog, type RateLimitOptions } from '../util/RateLimitedLog.js';
import type { BridgeCore, CellReading, CubeMessageAnswer } from './BridgeCore.js';
import { DEFAULT_DISPATCHER_LIMITS, type DispatcherLimits } from './DispatcherLimits.js';
import { AuthGate } from './AuthGate.js';
import { toProtocolError } from './mapError.js';
import { tensorOpFromWire, tensorOpReplyToWire } from './tensorOpWire.js';
import { TokenBucket } from './TokenBucket.js';
import type { RemoteVertices } from './RemoteVertices.js';
import { VertexRegistry, type VertexHost } from './VertexRegistry.js';
import type { HostedAnswers } from '../../core/cube/CollectiveStrategy.js';
import type { VertexId } from '../../core/cube/Vertex.js';
import { parseChoiceText } from '../../protocol/payloads/cubeChoices.js';
import { decodeAgentsReply, type AgentStatus } from '../../protocol/payloads/agents.js';

/** How long GET /agents waits for each XP10. */
const AGENTS_TIMEOUT_MS = 2000;

/** One XP10 on the bridge and its BASIC agents (GET /agents). */
export interface MachineAgents {
  /** The line id (as in /lines). */
  line: number;
  /** Its HELLO name: XP10, XP10-2, … */
  name: string;
  /** The cube vertices it hosts. */
  vertices: { cube: number; vertex: number }[];
  agents: AgentStatus[];
  /** Why it could not be asked. */
  error?: string;
}

export type LineKind = 'tcp' | 'ws' | 'serial' | 'v86' | 'memory' | 'modem';

export interface AttachOptions {
  kind: LineKind;
  /** A line from another host: nothing but HELLO is served until it presents the token. */
  remote: boolean;
  /** A remote line whose transport already presented the token (`/line/serial0?token=`). */
  tokenPresented?: boolean;
}

export interface LineSnapshot {
  id: number;
  name: string;
  kind: LineKind;
  remote: boolean;
  authorized: boolean;
  /** The name the peer gave in HELLO. */
  peerName: string | undefined;
  vertices: Array<{ cube: number; vertex: number; channel: number }>;
  openedAt: string;
  outstanding: number;
  stats: SessionStats;
}

export type LineEvent =
  | { type: 'open' | 'hello'; line: LineSnapshot }
  | { type: 'close'; line: LineSnapshot; reason: string };

export interface DispatcherOptions {
  core: BridgeCore;
  logger?: Logger;
  limits?: Partial<DispatcherLimits>;
  /** The token remote lines must present in HELLO; without one, remote lines are refused. */
  token?: Uint8Array;
  /** The name this bridge gives in its HELLO replies. */
  name?: string;
  now?: () => number;
  /** Vertices hosted behind other bridges of a cluster; consulted when no local line hosts one. */
  remote?: RemoteVertices;
  /** Serves PROGRAM requests; without it they are UNSUPPORTED. */
  programs?: ProgramLibrary;
  /** How refused requests are logged under a flood (default: 5 lines per code per 10 s, then one summary). */
  logRateLimit?: RateLimitOptions;
}

interface Peer {
  readonly id: number;
  readonly line: Line;
  readonly session: Session;
  readonly kind: LineKind;
  readonly remote: boolean;
  readonly openedAt: Date;
  /** Undefined when the rate is not limited. */
  readonly bucket: TokenBucket | undefined;
  authorized: boolean;
  peerName: string | undefined;
  helloSummary: string | undefined;
  outstanding: number;
  /** NOREPLY requests being handled, and those waiting for one of them to finish. */
  noReplyRunning: number;
  readonly noReplyQueue: (QueuedRequest | undefined)[];
  noReplyQueueHead: number;
}

interface QueuedRequest {
  request: IncomingRequest;
  resolve: (reply: Uint8Array) => void;
  reject: (error: unknown) => void;
}

/**
 * Gives every line its own Session and answers each request by calling the core. It also
 * routes CUBE_MSG for vertices a guest announced in HELLO to that guest's agent, and cleans
 * up after a line drops: forwarded requests fail with UNAVAILABLE and the vertices fall back
 * to the core's own FemtoLLMs.
 */
export class Dispatcher {
  private readonly core: BridgeCore;
  private readonly logger: Logger;
  /** Refused requests come in floods (a peer without the token, a buggy client): bounded lines per code. */
  private readonly errorLog: RateLimitedLog;
  private readonly limits: DispatcherLimits;
  private readonly token: Uint8Array | undefined;
  private readonly name: string;
  private readonly now: () => number;
  private readonly remote: RemoteVertices | undefined;
  private readonly programs: ProgramLibrary | undefined;
  private readonly peers = new Map<number, Peer>();
  private readonly vertices = new VertexRegistry<Peer>();
  private readonly listeners = new Emitter<LineEvent>(propagateListenerError);
  private nextId = 1;
  private readonly closedTotals = emptySessionStats();
  /** Duplicate caches by peer boot id, shared by a peer's lines and kept a while after they close. */
  private readonly replyCaches: ReplyCacheRegistry;

  constructor(options: DispatcherOptions) {
    this.core = options.core;
    this.logger = options.logger ?? silentLogger;
    this.errorLog = new RateLimitedLog(this.logger, options.logRateLimit);
    this.limits = { ...DEFAULT_DISPATCHER_LIMITS, ...options.limits };
    this.token = options.token;
    this.name = options.name ?? 'konomi-bridge';
    this.now = options.now ?? Date.now;
    this.remote = options.remote;
    this.programs = options.programs;
    this.replyCaches = new ReplyCacheRegistry({
      maxParked: this.limits.maxParkedSessions,
      expiryMs: this.limits.sessionExpiryMs,
      clock: { ...realClock, now: this.now },
    });
  }

  /** Starts serving a line; the returned session is closed when the line closes. */
  attach(line: Line, options: AttachOptions): Session {
    // The peer object is completed right below; onHello only runs once bytes arrive.
    let self: Peer | undefined;
    const session = new Session(line, {
      ...(options.remote ? { admission: new AuthGate(() => self?.authorized === true) } : {}),
      name: line.name,
      maxReassemblyBytes: this.limits.maxReassemblyBytes,
      window: this.limits.window,
      replyCaches: this.replyCaches,
      hello: { name: this.name },
      onHello: (hello) => this.onHello(self!, hello),
    });
    const peer: Peer = {
      id: this.nextId++,
      line,
      session,
      kind: options.kind,
      remote: options.remote,
      openedAt: new Date(this.now()),
      bucket: this.limits.requestsPerSecond > 0 ? new TokenBucket(this.limits.requestsPerSecond, this.limits.requestBurst, this.now) : undefined,
      authorized: !options.remote || options.tokenPresented === true,
      peerName: undefined,
      helloSummary: undefined,
      outstanding: 0,
      noReplyRunning: 0,
      noReplyQueue: [],
      noReplyQueueHead: 0,
    };
    self = peer;
    this.peers.set(peer.id, peer);
    session.setHandler((request) => this.handle(peer, request));
    line.onClose((reason) => this.detach(peer, reason));
    this.logger.info(`line ${peer.id} open: ${line.name} (${options.kind}${options.remote ? `, remote${peer.authorized ? ', token presented' : ''}` : ''})`);
    this.emit({ type: 'open', line: this.snapshot(peer) });
    return session;
  }

  /** Lines attached since the dispatcher was created. */
  get linesOpened(): number {
    return this.nextId - 1;
  }

  /** Session counters summed over every line, closed ones included (monotonic, for /metrics). */
  totals(): SessionStats {
    const sum = { ...this.closedTotals };
    for (const peer of this.peers.values()) addStats(sum, peer.session.stats);
    return sum;
  }

  get lineCount(): number {
    return this.peers.size;
  }

  /**
   * The BASIC agents of every XP10 on this bridge (lines whose HELLO named an XP10), asked with an
   * AGENTS request each, at once; a machine that does not answer within `timeoutMs` (or an older
   * XP10 that answers UNSUPPORTED) is listed with its error instead.
   */
  async agents(timeoutMs = AGENTS_TIMEOUT_MS): Promise<MachineAgents[]> {
    const machines = [...this.peers.values()].filter((p) => p.peerName !== undefined && isXp10HelloName(p.peerName));
    return Promise.all(
      machines.map(async (peer): Promise<MachineAgents> => {
        const machine = { line: peer.id, name: peer.peerName ?? '', vertices: this.vertices.verticesOf(peer).map(({ cube, vertex }) => ({ cube, vertex })) };
        try {
          const reply = await peer.session.request(Opcode.AGENTS, new Uint8Array(0), { timeoutMs });
          return { ...machine, agents: decodeAgentsReply(reply.payload) };
        } catch (err) {
          return { ...machine, agents: [], error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
  }

  lines(): LineSnapshot[] {
    return [...this.peers.values()].map((peer) => this.snapshot(peer));
  }

  onLineEvent(listener: (event: LineEvent) => void): Disposable {
    return this.listeners.add(listener);
  }

  /**
   * Sends our HELLO on a trusted line and registers what the peer's reply announces, for
   * guests that wait to be greeted rather than greeting first.
   */
  async greet(session: Session): Promise<Hello> {
    const peer = [...this.peers.values()].find((p) => p.session === session);
    if (!peer) throw new ProtocolError('NOT_FOUND', 'no such line');
    const hello = await session.hello({ name: this.name });
    if (peer.remote) throw new ProtocolError('UNAUTHORIZED', 'remote lines must greet first');
    this.onHello(peer, hello);
    return hello;
  }

  /** Closes every line. */
  close(): void {
    for (const peer of [...this.peers.values()]) peer.line.close();
    this.errorLog.close();
  }

  /**
   * Answers synchronously when the core does (BLOCK_GET, LLM_QUERY): a promise per request
   * would cost more than the request itself at tens of thousands per second.
   */
  private handle(peer: Peer, request: IncomingRequest): Uint8Array | Promise<Uint8Array> {
    try {
      if (!peer.authorized) throw new ProtocolError('UNAUTHORIZED', 'present the bridge token in HELLO first');
      if (peer.bucket !== undefined && !peer.bucket.take()) {
        throw new ProtocolError('BUSY', `more than ${this.limits.requestsPerSecond} requests/s on this line`);
      }
      if (request.noReply) return this.handleNoReply(peer, request).catch((err: unknown) => this.refuse(peer, request, err));
      if (peer.outstanding >= this.limits.maxOutstanding) {
        throw new ProtocolError('BUSY', `more than ${this.limits.maxOutstanding} requests outstanding on this line`);
      }
      peer.outstanding++;
      let result: Uint8Array | Promise<Uint8Array>;
      try {
        result = this.route(peer, request);
      } catch (err) {
        peer.outstanding--;
        throw err;
      }
      if (result instanceof Uint8Array) {
        peer.outstanding--;
        return result;
      }
      return result.then(
        (reply) => {
          peer.outstanding--;
          return reply;
        },
        (err: unknown) => {
          peer.outstanding--;
          return this.refuse(peer, request, err);
        },
      );
    } catch (err) {
      return this.refuse(peer, request, err);
    }
  }

  /** Throws `err` as a ProtocolError, logged unless it is BUSY. */
  private refuse(peer: Peer, request: IncomingRequest, err: unknown): never {
    const mapped = toProtocolError(err);
    // BUSY is the limiter working as intended; logging each one would let a flood fill the log.
    if (mapped.code !== 'BUSY') {
      const text = `line ${peer.id} ${opcodeName(request.opcode) ?? request.opcode} -> ${mapped.code}: ${mapped.message}`;
      if (mapped.code === 'INTERNAL') this.errorLog.error(`line ${mapped.code}`, text);
      else this.errorLog.warn(`line ${mapped.code}`, text);
    }
    throw mapped;
  }

  /**
   * NOREPLY requests have no window, so a burst of them is queued rather than refused: at most
   * maxOutstanding run at once, maxQueuedNoReply wait, and only past that is one dropped.
   */
  private handleNoReply(peer: Peer, request: IncomingRequest): Promise<Uint8Array> {
    if (peer.noReplyRunning < this.limits.maxOutstanding) return this.runNoReply(peer, request);
    if (peer.noReplyQueue.length - peer.noReplyQueueHead >= this.limits.maxQueuedNoReply) {
      return Promise.reject(new ProtocolError('BUSY', `more than ${this.limits.maxQueuedNoReply} NOREPLY requests queued on this line`));
    }
    return new Promise((resolve, reject) => peer.noReplyQueue.push({ request, resolve, reject }));
  }

  private async runNoReply(peer: Peer, request: IncomingRequest): Promise<Uint8Array> {
    // Counted before the first await, so a burst decoded in one chunk queues past maxOutstanding.
    peer.noReplyRunning++;
    try {
      return await this.route(peer, request);
    } finally {
      peer.noReplyRunning--;
      this.startQueuedNoReply(peer);
    }
  }

  private startQueuedNoReply(peer: Peer): void {
    const next = peer.noReplyQueue[peer.noReplyQueueHead];
    if (next === undefined) return;
    peer.noReplyQueue[peer.noReplyQueueHead++] = undefined;
    if (peer.noReplyQueueHead === peer.noReplyQueue.length) {
      peer.noReplyQueue.length = 0;
      peer.noReplyQueueHead = 0;
    } else if (peer.noReplyQueueHead >= 1024 && peer.noReplyQueueHead * 2 >= peer.noReplyQueue.length) {
      peer.noReplyQueue.splice(0, peer.noReplyQueueHead);
      peer.noReplyQueueHead = 0;
    }
    this.runNoReply(peer, next.request).then(next.resolve, next.reject);
  }

  private route(peer: Peer, request: IncomingRequest): Uint8Array | Promise<Uint8Array> {
    const payload = request.payload;
    // HELLO and PING are the Session's own entries in its handler table: they never get here.
    switch (request.opcode) {
      case Opcode.BLOCK_GET: {
        const { x, y, z } = decodeBlockGetRequest(payload);
        const cell = this.core.getCell(x, y, z);
        return cell instanceof Promise ? cell.then(encodeCellReading) : encodeCellReading(cell);
      }
      case Opcode.BLOCK_SET: {
        const { x, y, z, value } = decodeBlockSetRequest(payload);
        return this.core.setCell(x, y, z, value).then((write) => encodeBlockSetReply({ index: BigInt(write.index), hash: write.hash }));
      }
      case Opcode.LLM_QUERY: {
        const q = decodeLlmQueryRequest(payload);
        const answer = this.core.llmQuery(q.x, q.y, q.z, q.prompt, q.maxTokens);
        return encodeLlmQueryReply({ kappa: answer.kappa, tokens: answer.tokens, text: answer.text });
      }
      case Opcode.LLM_TEACH: {
        const q = decodeLlmTeachRequest(payload);
        if (!this.core.llmTeach) throw new ProtocolError('UNSUPPORTED', 'this bridge does not teach models');
        return this.core.llmTeach(q.x, q.y, q.z, q.text, q.steps === 0 ? DEFAULT_TEACH_STEPS : q.steps).then(encodeLlmTeachReply);
      }
      case Opcode.CUBE_MSG:
        return this.routeCubeMessage(peer, payload);
      case Opcode.TENSOR_OP: {
        const offloaded = this.core.tensorOpPayload?.(payload, this.limits.tensorOp);
        if (offloaded) return offloaded;
        const result = this.core.tensorOp(tensorOpFromWire(payload, this.limits.tensorOp));
        return result instanceof Promise ? result.then(tensorOpReplyToWire) : tensorOpReplyToWire(result);
      }
      case Opcode.PROGRAM:
        return this.routeProgram(payload);
      default:
        throw new ProtocolError('UNSUPPORTED', `opcode 0x${request.opcode.toString(16)} is not served by the bridge`);
    }
  }

  private async routeProgram(payload: Uint8Array): Promise<Uint8Array> {
    if (!this.programs) throw new ProtocolError('UNSUPPORTED', 'this bridge keeps no programs');
    const request = decodeProgramRequest(payload);
    switch (request.operation) {
      case ProgramOperation.SAVE:
        await this.programs.save(request.name, request.text);
        return encodeProgramReply({ operation: request.operation });
      case ProgramOperation.LOAD: {
        const program = await this.programs.get(request.name);
        const size = encodeUtf8(program.text).length;
        if (size > MAX_PROGRAM_TEXT) {
          throw new ProtocolError('TOO_LARGE', `program ${program.name} is ${size} bytes, more than one LOAD reply holds (${MAX_PROGRAM_TEXT}): READ it in pieces`);
        }
        return encodeProgramReply({ operation: request.operation, text: program.text });
      }
      case ProgramOperation.APPEND:
        await this.programs.append(request.name, request.text);
        return encodeProgramReply({ operation: request.operation });
      case ProgramOperation.READ:
        return encodeProgramReply({ operation: request.operation, ...(await this.programs.read(request.name, request.offset)) });
      case ProgramOperation.DELETE:
        await this.programs.delete(request.name);
        return encodeProgramReply({ operation: request.operation });
      case ProgramOperation.LIST: {
        const programs = (await this.programs.list()).map((p) => ({ name: p.name, size: p.size, updated: Math.floor(p.updated / 1000) }));
        return encodeProgramReply({ operation: request.operation, programs });
      }
    }
  }

  /**
   * A cube message from the bridge's own APIs (/ws `process`, REST): routed exactly as a
   * CUBE_MSG arriving on a line, so a vertex a guest hosts is answered by that guest.
   */
  async cubeMessage(request: CubeMsgRequest): Promise<CubeMessageAnswer> {
    const reply = await this.routeToHost(undefined, request, encodeCubeMsgRequest(request));
    if (reply) return { ...decodeCubeMsgReply(reply), answeredBy: 'host' };
    const hosted = await this.hostedAnswers(undefined, request);
    // The core's own answer keeps what the wire has no room for (the κ and temperature it used).
    return { ...this.core.cubeMessage(request.cube, request.vertex, request.text, hosted), answeredBy: 'core' };
  }

  private async routeCubeMessage(peer: Peer | undefined, payload: Uint8Array): Promise<Uint8Array> {
    const msg = decodeCubeMsgRequest(payload);
    const routed = await this.routeToHost(peer, msg, payload);
    if (routed) return routed;
    return this.coreCubeMessage(msg.cube, msg.vertex, msg.text, await this.hostedAnswers(peer, msg));
  }

  /**
   * A whole-cube think (vertex 0xFF, free text): the vertices guests on this bridge host answer
   * for themselves, all asked at once; one that fails or is silent for hostedVoteTimeoutMs votes
   * as faulty (null). Choice votes and the asking guest's own vertices stay with the core.
   */
  private async hostedAnswers(peer: Peer | undefined, msg: CubeMsgRequest): Promise<HostedAnswers | undefined> {
    if (msg.vertex !== Vertex.CUBE || parseChoiceText(msg.text) !== null) return undefined;
    const asks: Promise<[VertexId, string | null]>[] = [];
    for (let v = 0; v <= Vertex.CENTRAL; v++) {
      const host = this.vertices.lookup(msg.cube, v);
      if (!host || host.peer === peer) continue;
      const payload = encodeCubeMsgRequest({ cube: msg.cube, vertex: v, text: msg.text });
      const vertex = v as VertexId;
      asks.push(
        this.forwardToHost(host, msg.cube, v, payload, this.limits.hostedVoteTimeoutMs).then(
          (reply): [VertexId, string | null] => [vertex, decodeCubeMsgReply(reply).text],
          (): [VertexId, string | null] => [vertex, null],
        ),
      );
    }
    return asks.length === 0 ? undefined : new Map(await Promise.all(asks));
  }

  /** The reply of the guest hosting the vertex, here or on another bridge; undefined when the core answers. */
  private async routeToHost(peer: Peer | undefined, msg: CubeMsgRequest, payload: Uint8Array): Promise<Uint8Array | undefined> {
    const host = msg.vertex === Vertex.CUBE ? undefined : this.vertices.lookup(msg.cube, msg.vertex);
    // A guest asking about its own vertex is answered by the core, never looped back to itself.
    if (host && host.peer !== peer) return this.forwardToHost(host, msg.cube, msg.vertex, payload);
    if (!host && msg.vertex !== Vertex.CUBE && this.remote) return this.remote.forward(msg.cube, msg.vertex, payload);
    return undefined;
  }

  /**
   * A CUBE_MSG another bridge of the cluster forwarded here: the local guest hosting the vertex
   * answers, or the core when that guest has gone meanwhile.
   */
  async serveForwardedCubeMessage(payload: Uint8Array): Promise<Uint8Array> {
    const msg = decodeCubeMsgRequest(payload);
    const host = msg.vertex === Vertex.CUBE ? undefined : this.vertices.lookup(msg.cube, msg.vertex);
    if (host) return this.forwardToHost(host, msg.cube, msg.vertex, payload);
    return this.coreCubeMessage(msg.cube, msg.vertex, msg.text);
  }

  private async forwardToHost(
    host: VertexHost<Peer>,
    cube: number,
    vertex: number,
    payload: Uint8Array,
    timeoutMs = this.limits.forwardTimeoutMs,
  ): Promise<Uint8Array> {
    try {
      const reply = await host.peer.session.request(Opcode.CUBE_MSG, payload, {
        channel: host.channel,
        timeoutMs,
      });
      return reply.payload;
    } catch (err) {
      if (err instanceof ProtocolError && err.remote) throw err;
      const why = err instanceof Error ? err.message : String(err);
      // Refused before sending: larger than the host announced it accepts (HELLO max content).
      if (err instanceof ProtocolError && err.code === 'TOO_LARGE') {
        throw new ProtocolError('TOO_LARGE', `cube ${cube} vertex ${vertex} is hosted by ${host.peer.line.name}: ${why}`);
      }
      throw new ProtocolError('UNAVAILABLE', `cube ${cube} vertex ${vertex} is hosted by ${host.peer.line.name}, which did not answer: ${why}`);
    }
  }

  private coreCubeMessage(cube: number, vertex: number, text: string, hosted?: HostedAnswers): Uint8Array {
    const answer = this.core.cubeMessage(cube, vertex, text, hosted);
    return encodeCubeMsgReply({ vertex: answer.vertex, kappa: answer.kappa, text: answer.text });
  }

  /** Runs inside the Session before it accepts a HELLO; a throw refuses it with that error. */
  private onHello(peer: Peer, hello: Hello): void {
    if (peer.remote) {
      if (!this.token || !sameBytes(hello.token, this.token)) {
        this.errorLog.warn('line HELLO UNAUTHORIZED', `line ${peer.id} ${peer.line.name}: HELLO with a wrong or missing token`);
        throw new ProtocolError('UNAUTHORIZED', 'wrong or missing token');
      }
      peer.authorized = true;
    }
    for (const v of hello.vertices) {
      if (v.vertex > Vertex.CENTRAL) throw new ProtocolError('OUT_OF_RANGE', `vertex ${v.vertex} cannot be hosted`);
    }
    peer.peerName = hello.name;
    this.vertices.releasePeer(peer);
    for (const v of hello.vertices) this.vertices.register(v.cube, v.vertex, peer, v.channel);
    const hosted = hello.vertices.map((v) => `${v.cube}/${v.vertex}@${v.channel}`).join(' ');
    const summary = `hello from "${hello.name}"${hosted ? ` hosting ${hosted}` : ''}`;
    // Both sides may greet (the guest at boot, the bridge on attach): log a repeat only once.
    if (summary !== peer.helloSummary) this.logger.info(`line ${peer.id} ${summary}`);
    peer.helloSummary = summary;
    // Emitter see the peer once the Session has accepted the HELLO.
    queueMicrotask(() => this.emit({ type: 'hello', line: this.snapshot(peer) }));
  }

  private detach(peer: Peer, reason?: Error): void {
    if (!this.peers.delete(peer.id)) return;
    const released = this.vertices.releasePeer(peer);
    addStats(this.closedTotals, peer.session.stats);
    peer.session.close();
    const why = reason ? reason.message : 'closed';
    const toCore = released.toCore ? `; ${released.toCore} vertices back to the core` : '';
    const handed = released.handedOver ? `; ${released.handedOver} vertices back to their previous host` : '';
    this.logger.info(`line ${peer.id} closed: ${peer.line.name} (${why})${toCore}${handed}`);
    this.emit({ type: 'close', line: this.snapshot(peer), reason: why });
  }

  private snapshot(peer: Peer): LineSnapshot {
    return {
      id: peer.id,
      name: peer.line.name,
      kind: peer.kind,
      remote: peer.remote,
      authorized: peer.authorized,
      peerName: peer.peerName,
      vertices: this.vertices.verticesOf(peer),
      openedAt: peer.openedAt.toISOString(),
      outstanding: peer.outstanding,
      stats: { ...peer.session.stats },
    };
  }

  private emit(event: LineEvent): void {
    this.listeners.emit(event);
  }
}

function encodeCellReading(cell: CellReading): Uint8Array {
  return encodeBlockGetReply({ active: cell.active, value: cell.value, hash: cell.leafHash });
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from timing. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function addStats(into: SessionStats, from: SessionStats): void {
  for (const key of Object.keys(into) as Array<keyof SessionStats>) into[key] += from[key];
}
