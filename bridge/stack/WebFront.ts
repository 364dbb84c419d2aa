import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import express from 'express';
import { requestAuthorized } from '../http/requestAuth.js';
import { isLoopbackAddress } from '../util/isLoopback.js';
import { silentLogger, type Logger } from '../util/Logger.js';

export interface WebFrontOptions {
  host?: string;
  port?: number;
  /** The built page (dist/web). */
  webRoot: string;
  /** Where REST requests go (the api role). */
  apiUrl: string;
  /** Where WebSocket upgrades go (/ws, /line/serial0, /modem, /capture: the ws role). */
  wsUrl: string;
  /**
   * What callers from other hosts must present (Bearer header or ?token=) before anything is
   * passed on. The api and ws roles see every request arrive from this front on loopback, so
   * they would trust it: the front has to check for them. Generated and logged when the front
   * is exposed without one.
   */
  token?: string;
  logger?: Logger;
}

/**
 * The web role of the stack: serves the page and passes everything else on, so the page keeps
 * talking to its own origin. HTTP requests the page does not answer go to the api service;
 * WebSocket upgrades are piped byte for byte to the ws service.
 */
export class WebFront {
  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Duplex>,
  ) {}

  static async start(options: WebFrontOptions): Promise<WebFront> {
    const logger = options.logger ?? silentLogger;
    const api = new URL(options.apiUrl);
    const ws = new URL(options.wsUrl);
    const host = options.host ?? '127.0.0.1';
    let token = options.token;
    if (!isLoopbackAddress(host) && !token) {
      token = randomBytes(12).toString('hex');
      logger.warn(`web listening on ${host}: callers from other hosts must present this token: ${token}`);
    }
    const app = express();
    app.disable('x-powered-by');
    app.get('/healthz', (_req, res) => {
      res.json({ ok: true, role: 'web' });
    });
    app.use(express.static(options.webRoot, { index: 'index.html', fallthrough: true }));
    // The page itself is public, as on a single bridge; what it talks to is not.
    app.use((req, res) => {
      if (!requestAuthorized(req, token)) {
        res.status(401).json({ error: { code: 'UNAUTHORIZED', message: 'present the token: Authorization: Bearer T or ?token=T' } });
        return;
      }
      proxyHttp(req, res, api, logger);
    });
    const sockets = new Set<Duplex>();
    const server = createServer(app);
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!requestAuthorized(req, token)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      proxyUpgrade(req, socket, head, ws, sockets, logger);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 3000, host, () => resolve());
    });
    logger.info(`web on http://${(server.address() as AddressInfo).address}:${(server.address() as AddressInfo).port} -> api ${options.apiUrl}, ws ${options.wsUrl}`);
    return new WebFront(server, sockets);
  }

  get url(): string {
    const a = this.server.address() as AddressInfo;
    return `http://${a.address}:${a.port}`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function proxyHttp(req: IncomingMessage, res: ServerResponse, target: URL, logger: Logger): void {
  const upstream = request(
    { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
    (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    },
  );
  upstream.on('error', (err) => {
    logger.warn(`web: api unreachable: ${err.message}`);
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'UNAVAILABLE', message: 'the api service does not answer' }));
  });
  req.pipe(upstream);
}

function proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: URL, sockets: Set<Duplex>, logger: Logger): void {
  const upstream = connect(Number(target.port || 80), target.hostname);
  sockets.add(socket);
  sockets.add(upstream);
  const drop = (): void => {
    socket.destroy();
    upstream.destroy();
    sockets.delete(socket);
    sockets.delete(upstream);
  };
  upstream.on('connect', () => {
    const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!;
      lines.push(`${name}: ${name.toLowerCase() === 'host' ? target.host : req.rawHeaders[i + 1]!}`);
    }
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', (err) => {
    logger.warn(`web: ws service unreachable: ${err.message}`);
    socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    drop();
  });
  upstream.on('close', drop);
  socket.on('close', drop);
  socket.on('error', drop);
}
