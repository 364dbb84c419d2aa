import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { createLinePair } from '../../protocol/MemoryLine.js';
import { ERROR_TABLE, type KnownErrorCode } from '../../protocol/errors/errorTable.js';
import type { Line } from '../../protocol/Line.js';
import type { Session } from '../../protocol/Session.js';
import { HayesModem } from '../../lines/modem/HayesModem.js';
import { LineDestination } from '../../lines/modem/LineDestination.js';
import { Phonebook } from '../../lines/modem/Phonebook.js';
import type { CallDestination } from '../../lines/modem/CallDestination.js';
import { Konomi } from '../../core/orchestrator/Konomi.js';
import type { LlmFactory } from '../../core/llm/LlmNode.js';
import { replicaQuorum, type CollectiveStrategy } from '../../core/cube/CollectiveStrategy.js';
import { FemtoLlmFactory } from '../../core/femto/FemtoLlm.js';
import type { Store } from '../../core/store/Store.js';
import { ClusterNode, type ClusterOptions } from '../cluster/ClusterNode.js';
import { joinCluster } from '../cluster/joinCluster.js';
import { SharedCellReads } from '../cluster/SharedCellReads.js';
import { Dispatcher } from '../dispatch/Dispatcher.js';
import type { Disposable } from '../../protocol/Disposable.js';
import { PgStore } from '../store/PgStore.js';
import type { DispatcherLimits } from '../dispatch/DispatcherLimits.js';
import { createHttpApp } from '../http/createHttpApp.js';
import { JsonApi, MAX_JSON_FRAME } from '../http/JsonApi.js';
import { presentedToken, requestAuthorized, sameToken } from '../http/requestAuth.js';
import { TcpLineServer } from '../lines/TcpLineServer.js';
import { XP10_NAMES, XP10_NUMBER } from '../../machine/phonebook.js';
import { WebSocketLine } from '../lines/WebSocketLine.js';
import { FrameCapture } from '../capture/FrameCapture.js';
import { KonomiService, type KonomiServiceOptions } from '../service/KonomiService.js';
import { DEFAULT_KAPPA_TICK_MS, KappaTicker } from '../service/KappaTicker.js';
import { realClock, type Clock } from '../../protocol/Clock.js';
import { HostPolicy } from './HostPolicy.js';
import { isLoopbackAddress } from '../util/isLoopback.js';
import { silentLogger, type Logger } from '../util/Logger.js';
import { RateLimitedLog, type RateLimitOptions } from '../util/RateLimitedLog.js';
import { DialDirectory } from '../modem/DialDirectory.js';
import { DialPolicy } from '../modem/DialPolicy.js';
import { openSerialModem, type SerialModem } from '../modem/SerialModem.js';
import { TelnetModemServer } from '../modem/TelnetModemServer.js';
import { seedExamplePrograms } from './examplePrograms.js';

export interface BridgeServerOptions {
  /** Options of the bridge's KonomiService (worker pool thresholds, TENSOR_OP limits). */
  service?: KonomiServiceOptions;
  /** Interface to listen on; loopback unless exposed on purpose. */
  host?: string;
  /** HTTP port (REST, /ws, /line/serial0, /modem, /capture, the page); 0 picks a free one. */
  port?: number;
  /** Raw 56k-protocol TCP port; 0 picks a free one. */
  packetPort?: number;
  /** Token remote lines must present in HELLO; generated (and logged) when exposed without one. */
  token?: string;
  store?: Store;
  /** The model behind every LLM node; FemtoLLM unless a test injects another. */
  llmFactory?: LlmFactory;
  /** How a cube's CENTRAL integrates its vertices; token voting suits FemtoLLM (see docs/CORE.md). */
  collective?: CollectiveStrategy;
  logger?: Logger;
  webRoot?: string;
  limits?: Partial<DispatcherLimits>;
  /** Cubes created at start when fewer exist, so guest-hosted vertices have a core fallback. */
  minimumCubes?: number;
  /**
   * Join a cluster of bridges over Redis (bridge/cluster, docs/DEPLOY.md). With a PgStore,
   * BLOCK_GET then reads the shared store, so writes through other bridges are visible.
   */
  cluster?: Omit<ClusterOptions, 'logger'>;
  /** Telnet dial-in port on `host` (`--telnet`): each connection is a caller with its own Hayes modem; 0 picks a free one. */
  telnetPort?: number;
  /** A Hayes modem answering on a serial device (`--modem-serial /dev/ttyX[@baud]`), RTS/CTS on. */
  modemSerial?: string;
  /** HOST:PORT services modem callers may dial besides loopback (`--dial-allow`). */
  dialAllow?: string[];
  /** JSON phonebook file (`--phonebook`): read at start, rewritten by PUT /phonebook. */
  phonebookFile?: string;
  /**
   * More names browsers may reach the bridge by (a DNS name, a proxy's host): WebSocket upgrades
   * must carry a Host, and an Origin when present, naming the server (see HostPolicy).
   */
  allowedHosts?: string[];
  /** WebSockets each of /ws, /line/serial0, /modem and /capture accepts at once (default 64, like the packet port); 503 past it. */
  maxSocketsPerEndpoint?: number;
  /** How refused and failed HTTP requests and upgrades are logged under a flood (default: 5 lines per code per 10 s, then one summary). */
  logRateLimit?: RateLimitOptions;
  /** Milliseconds between ticks of the κ field (default 1000); 0 stops the field (κ then moves only by activity). */
  kappaTickMs?: number;
  /** Seed the example agents of programs/ into an empty program store (`konomi start` does; tests opt in). */
  examplePrograms?: boolean;
  /** The clock the κ ticks run on (default: the host's timers; tests give a ManualClock). */
  clock?: Clock;
}

/** Numbers of the bridge's own phonebook, as `ATDT` dials them on /modem. */
export const PACKET_PORT_NUMBER = '5600';

/**
 * The whole bridge in one process: the Konomi core behind a KonomiService, the dispatcher,
 * the packet port, the HTTP server with REST, the JSON API, browser serial lines, dial-in
 * modems and frame capture. `stop()` releases everything it started.
 */
export class BridgeServer {
  readonly phonebook = new Phonebook();
  private readonly http: Server;
  private readonly packets: TcpLineServer;
  private readonly sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_JSON_FRAME });
  private readonly lineSockets = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  private readonly jsonApi: JsonApi;
  private readonly modems = new Set<HayesModem>();
  readonly capture = new FrameCapture();
  /** `/dial` upgrades whose call is still being placed. */
  private pendingDials = 0;
  /** The operator's phonebook entries and dial-out (`ATDT host:port`) for every caller's modem. */
  readonly directory: DialDirectory;
  private telnet: TelnetModemServer | undefined;
  private serialModem: SerialModem | undefined;
  readonly token: string | undefined;
  private clusterLink: Disposable | undefined;
  private readonly hostPolicy: HostPolicy;
  /** WebSockets open (or being opened) per endpoint path. */
  private readonly openSockets = new Map<string, number>();
  private readonly maxSocketsPerEndpoint: number;
  /**
   * Refusals (a scanner, a client without the token) and modem callers (connect, dial a refused host
   * in a loop) come in floods: one log, a bounded number of lines of each kind.
   */
  private readonly errorLog: RateLimitedLog;
  /** Ticks the κ field; undefined with `kappaTickMs: 0`. */
  readonly kappaTicker: KappaTicker | undefined;

  private constructor(
    readonly service: KonomiService,
    readonly dispatcher: Dispatcher,
    private readonly options: BridgeServerOptions,
    private readonly logger: Logger,
    /** This bridge's membership of a cluster, when `options.cluster` was given. */
    readonly cluster: ClusterNode | undefined,
  ) {
    // One rate-limited log for everything that comes in floods: refused requests and sockets, and
    // callers who dial or connect in a loop (5 lines of a kind per 10 s in full, then a count).
    this.errorLog = new RateLimitedLog(logger, options.logRateLimit);
    this.directory = new DialDirectory(
      this.phonebook,
      { policy: new DialPolicy(options.dialAllow), log: this.errorLog },
      [
        { name: 'xp10', keys: [XP10_NUMBER, ...XP10_NAMES] },
        { name: 'packet', keys: [PACKET_PORT_NUMBER, 'packet'] },
      ],
      options.phonebookFile,
    );
    this.token = options.token;
    this.hostPolicy = new HostPolicy(options.host ?? '127.0.0.1', options.allowedHosts);
    this.maxSocketsPerEndpoint = options.maxSocketsPerEndpoint ?? 64;
    const tickMs = options.kappaTickMs ?? DEFAULT_KAPPA_TICK_MS;
    this.kappaTicker = tickMs > 0 ? new KappaTicker(service, options.clock ?? realClock, tickMs, logger) : undefined;
    this.jsonApi = new JsonApi(service, dispatcher, logger);
    const pgStore = options.store instanceof PgStore ? options.store : undefined;
    const app = createHttpApp({
      phonebook: this.directory,
      ...(pgStore ? { chains: pgStore } : {}),
      ...(pgStore && cluster ? { sharedCells: new SharedCellReads(service, pgStore) } : {}),
      service,
      dispatcher,
      logger,
      webRoot: options.webRoot ?? 'dist/web',
      startedAt: Date.now(),
      wsClientCount: () => this.jsonApi.clientCount,
      errorLog: this.errorLog,
      ...(options.token ? { token: options.token } : {}),
    });
    this.http = createServer((req, res) => {
      // A rebinding DNS name would make a hostile page same-origin with a loopback bridge.
      if (!this.hostPolicy.allowsHost(req.headers.host)) {
        const message = `Host ${req.headers.host ?? '(none)'} is not a name of this bridge (see --allow-host)`;
        this.errorLog.warn('403 FORBIDDEN', `${req.method ?? '?'} ${(req.url ?? '/').split('?')[0] ?? '/'} from ${req.socket.remoteAddress ?? '?'} -> 403 FORBIDDEN: ${message}`);
        return sendJsonError(res, 'FORBIDDEN', message);
      }
      if (this.cluster && (req.url === '/cluster' || req.url?.startsWith('/cluster?'))) {
        if (!requestAuthorized(req, this.token)) {
          this.errorLog.warn('401 UNAUTHORIZED', `GET /cluster from ${req.socket.remoteAddress ?? '?'} -> 401 UNAUTHORIZED`);
          return sendJsonError(res, 'UNAUTHORIZED', 'requests from other hosts need the bridge token');
        }
        return this.clusterStatus(res);
      }
      app(req, res);
    });
    this.http.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.packets = new TcpLineServer();
    this.packets.onConnection((line) => {
      this.attach(line, 'tcp', !isLoopbackAddress(line.remoteAddress));
    });
    this.phonebook.add({
      number: PACKET_PORT_NUMBER,
      names: ['packet'],
      description: 'the bridge packet port',
      destination: new LineDestination(() => this.packetCall()),
    });
  }

  static async start(options: BridgeServerOptions = {}): Promise<BridgeServer> {
    const logger = options.logger ?? silentLogger;
    const host = options.host ?? '127.0.0.1';
    let token = options.token;
    if (!isLoopbackAddress(host) && !token) {
      token = randomBytes(12).toString('hex');
      logger.warn(`listening on ${host}: remote lines must send this token in HELLO: ${token}`);
    }
    const konomi = await Konomi.open({
      ...(options.store ? { store: options.store } : {}),
      llmFactory: options.llmFactory ?? new FemtoLlmFactory(),
      collective: options.collective ?? replicaQuorum,
      // A teaching (up to 2 s of CPU) lets the bridge serve lines and send progress between steps.
      yieldToHost: () => new Promise<void>((resolve) => setImmediate(resolve)),
      // The budget is CPU (this process's), not wall clock: a loaded machine must not cut a teaching short.
      teachClock: () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1000;
      },
    });
    for (let i = konomi.cubes.count; i < (options.minimumCubes ?? 2); i++) await konomi.cubes.create(i * 4, 0, 0);
    await konomi.flush();
    if (options.examplePrograms) await seedExamplePrograms(konomi.programs, logger);
    const service = new KonomiService(konomi, options.service);
    const cluster = options.cluster ? await ClusterNode.connect({ ...options.cluster, logger }) : undefined;
    const shared = cluster && options.store instanceof PgStore ? options.store : undefined;
    const dispatcher = new Dispatcher({
      core: shared ? new SharedCellReads(service, shared) : service,
      logger,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(token ? { token: new TextEncoder().encode(token) } : {}),
      ...(cluster ? { remote: cluster, name: cluster.bridgeId } : {}),
      ...(options.logRateLimit ? { logRateLimit: options.logRateLimit } : {}),
      programs: konomi.programs,
    });
    const server = new BridgeServer(service, dispatcher, { ...options, host, ...(token ? { token } : {}) }, logger, cluster);
    server.directory.load();
    await server.listen();
    server.kappaTicker?.start();
    if (cluster) {
      server.clusterLink = await joinCluster(cluster, dispatcher, service, () => ({
        http: server.httpUrl,
        packet: `tcp://${server.packetAddress.address}:${server.packetAddress.port}`,
      }));
      logger.info(`cluster: joined as ${cluster.bridgeId}`);
    }
    return server;
  }

  get httpAddress(): AddressInfo {
    return this.http.address() as AddressInfo;
  }

  get packetAddress(): AddressInfo {
    return this.packets.address!;
  }

  /** The telnet dial-in port, when `telnetPort` was given. */
  get telnetAddress(): AddressInfo | undefined {
    return this.telnet?.address;
  }

  get httpUrl(): string {
    const a = this.httpAddress;
    return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  /** Serves a line with its own session; capture sees its frames. */
  attach(line: Line, kind: 'tcp' | 'ws' | 'serial' | 'v86' | 'memory' | 'modem', remote = false, tokenPresented = false): Session {
    return this.dispatcher.attach(this.capture.tap(line), { kind, remote, tokenPresented });
  }

  /** Adds a phonebook entry (e.g. the guest's console modem) for /modem callers. */
  /** Lists a number; the returned function unlists it (a guest that stops frees its number). */
  addPhoneNumber(number: string, names: string[], destination: CallDestination, description?: string): () => void {
    const entry = { number, names, destination, ...(description ? { description } : {}) };
    this.phonebook.add(entry);
    return () => this.phonebook.remove(entry);
  }

  async stop(): Promise<void> {
    this.logger.info('shutting down');
    this.kappaTicker?.stop();
    this.clusterLink?.dispose();
    await this.cluster?.close();
    for (const modem of this.modems) modem.dispose();
    await this.telnet?.close();
    await this.serialModem?.close();
    this.jsonApi.closeAll();
    for (const ws of this.lineSockets.clients) ws.terminate();
    for (const ws of this.sockets.clients) ws.terminate();
    this.capture.close();
    this.dispatcher.close();
    await this.packets.close();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
    await this.service.close();
    this.errorLog.close();
  }

  private clusterStatus(res: import('node:http').ServerResponse): void {
    const cluster = this.cluster!;
    void cluster.members().then(
      (members) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ bridge: cluster.bridgeId, members, peers: cluster.peers() }));
      },
      (err: unknown) => {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'UNAVAILABLE', message: err instanceof Error ? err.message : String(err) }));
      },
    );
  }

  private async listen(): Promise<void> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port ?? 3000, host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    const packet = await this.packets.listen(this.options.packetPort ?? 5600, host);
    this.logger.info(`http on ${this.httpUrl}, packet port tcp://${packet.address}:${packet.port}`);
    if (this.options.telnetPort !== undefined) {
      this.telnet = new TelnetModemServer({ phonebook: this.phonebook, log: this.errorLog, ...(this.token ? { token: this.token } : {}) });
      const telnet = await this.telnet.listen(this.options.telnetPort, host);
      this.logger.info(`telnet dial-in on ${telnet.address}:${telnet.port}`);
    }
    if (this.options.modemSerial) {
      this.serialModem = await openSerialModem({ device: this.options.modemSerial, phonebook: this.phonebook, logger: this.logger });
    }
  }

  private packetCall(): Line {
    const [caller, bridgeEnd] = createLinePair(['modem:caller', 'modem:packet']);
    this.attach(bridgeEnd, 'modem');
    return caller;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? 0}`;
    const isRemote = !isLoopbackAddress(req.socket.remoteAddress);
    if (!this.hostPolicy.allowsHost(req.headers.host) || !this.hostPolicy.allowsOrigin(req.headers.origin)) {
      this.errorLog.warn('ws 403', `ws ${path} from ${remote} refused: Host ${req.headers.host ?? '(none)'}, Origin ${req.headers.origin ?? '(none)'}`);
      return refuse(socket, 403);
    }
    const open = this.openSockets.get(path) ?? 0;
    if (open >= this.maxSocketsPerEndpoint) {
      this.errorLog.warn('ws 503', `ws ${path} from ${remote} refused: ${open} sockets open`);
      return refuse(socket, 503);
    }
    const unauthorized = (): void => {
      this.errorLog.warn('ws 401', `ws ${path} from ${remote} refused: no token`);
      refuse(socket, 401);
    };
    const accept = (wss: WebSocketServer, then: (ws: WebSocket) => void): void => {
      // Counted from the upgrade until the TCP socket closes, so half-done handshakes count too.
      this.openSockets.set(path, (this.openSockets.get(path) ?? 0) + 1);
      socket.once('close', () => this.openSockets.set(path, (this.openSockets.get(path) ?? 1) - 1));
      wss.handleUpgrade(req, socket, head, then);
    };
    switch (path) {
      case '/ws':
        if (isRemote && !this.tokenInQuery(req)) return unauthorized();
        return accept(this.sockets, (ws) => this.jsonApi.accept(ws, remote));
      case '/line/serial0': {
        // A browser XP10 cannot put the token in its own HELLO, so its page may give it in the URL.
        const tokenPresented = isRemote && this.tokenInQuery(req);
        return accept(this.lineSockets, (ws) =>
          this.attach(new WebSocketLine(ws, { name: `ws:${remote}/line/serial0` }), 'ws', isRemote, tokenPresented),
        );
      }
      case '/modem':
        if (isRemote && !this.tokenInQuery(req)) return unauthorized();
        return accept(this.lineSockets, (ws) => this.startModem(new WebSocketLine(ws, { name: `ws:${remote}/modem` })));
      case '/dial':
        if (isRemote && !this.tokenInQuery(req)) return refuse(socket, 401);
        if (open + this.pendingDials >= this.maxSocketsPerEndpoint) return refuse(socket, 503);
        return this.dialUpgrade(req, socket, remote, (then) => accept(this.lineSockets, then));
      case '/capture':
        if (isRemote && !this.tokenInQuery(req)) return unauthorized();
        return accept(this.lineSockets, (ws) => this.capture.stream(ws, this.logger));
      default:
        refuse(socket, 404);
    }
  }

  /**
   * `/dial?to=NUMBER`: a modem in the browser (the page) dials through the bridge's phonebook
   * (operator entries, `host:port` under the dial policy). The call is placed before the upgrade
   * completes: answered, the socket carries the call's data; not answered, the upgrade is refused
   * (502 NO CARRIER, 503 BUSY, 504 NO ANSWER), which the page's modem reports as NO CARRIER.
   */
  private dialUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    remote: string,
    accept: (then: (ws: WebSocket) => void) => void,
  ): void {
    const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to') ?? '';
    const entry = to.length > 0 && to.length <= 255 ? this.phonebook.lookup(to) : undefined;
    const from = `ws:${remote}/dial`;
    if (!entry) {
      this.logger.info(`${from} to "${to.slice(0, 64)}": no such number`);
      return refuse(socket, 502);
    }
    let done = false;
    // Calls being placed count against the endpoint's socket limit like open ones.
    this.pendingDials++;
    const settle = (): boolean => {
      if (done) return false;
      done = true;
      this.pendingDials--;
      return true;
    };
    const attempt = entry.destination.call(from, {
      answered: (line) => {
        if (!settle() || socket.destroyed) return line.close();
        accept((ws) => {
          const caller = new WebSocketLine(ws, { name: from });
          caller.onData((chunk) => line.write(chunk));
          line.onData((chunk) => caller.write(chunk));
          caller.onClose(() => line.close());
          line.onClose(() => caller.close());
        });
      },
      failed: (reason) => {
        if (settle()) refuse(socket, reason === 'BUSY' ? 503 : reason === 'NO_ANSWER' ? 504 : 502);
      },
    });
    socket.once('close', () => {
      if (settle()) attempt.cancel();
    });
  }

  private tokenInQuery(req: IncomingMessage): boolean {
    return sameToken(presentedToken(req), this.token);
  }

  private startModem(dte: Line): void {
    const modem = new HayesModem({ dte, clock: realClock, phonebook: this.phonebook, name: dte.name });
    this.modems.add(modem);
    this.logger.info(`modem open: ${dte.name}`);
    dte.onClose(() => {
      this.modems.delete(modem);
      this.logger.info(`modem closed: ${dte.name}`);
    });
  }
}

function sendJsonError(res: import('node:http').ServerResponse, code: KnownErrorCode, message: string): void {
  res.writeHead(ERROR_TABLE[code].status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code, message } }));
}

const STATUS_TEXT = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  502: 'Bad Gateway (NO CARRIER)',
  503: 'Service Unavailable',
  504: 'Gateway Timeout (NO ANSWER)',
} as const;

function refuse(socket: Duplex, status: keyof typeof STATUS_TEXT): void {
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
