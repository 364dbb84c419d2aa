import { existsSync } from 'node:fs';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Axis } from '../../core/block/Dims.js';
import type { CellInput } from '../../core/orchestrator/types.js';
import type { BridgeCore } from '../dispatch/BridgeCore.js';
import type { Dispatcher } from '../dispatch/Dispatcher.js';
import { chainsRoot, type SharedChains } from '../store/PgStoreChains.js';
import type { KonomiService } from '../service/KonomiService.js';
import type { Logger } from '../server/Logger.js';
import { toHex } from '../util/hex.js';
import { HttpError, badField } from './HttpError.js';
import { bodyObject, intField, numberField, optionalIntField, stringField } from './fields.js';
import { toHttpError } from './mapHttpError.js';
import { renderMetrics } from './renderMetrics.js';
import { requestAuthorized } from './requestAuth.js';

export interface HttpAppContext {
  service: KonomiService;
  dispatcher: Dispatcher;
  logger: Logger;
  /** Directory of the built web page (dist/web); a short note is served when it is missing. */
  webRoot: string;
  startedAt: number;
  wsClientCount: () => number;
  /** Largest JSON body accepted (default 256 KiB). */
  bodyLimitBytes?: number;
  /** The bridge token; requests from non-loopback addresses must present it (none: they are refused). */
  token?: string;
  /** A clustered bridge on the shared store: GET /value of array 0 reads what any bridge committed (as BLOCK_GET does). */
  sharedCells?: Pick<BridgeCore, 'getCell'>;
  /** The shared store's chains (PostgreSQL): GET /ledger/root and /ledger/verify-all. */
  chains?: SharedChains;
}

const U16 = 0xffff;
const MAX_PROMPT = 4096;
const MAX_TEMPLATE_CELLS = 100_000;

function sharedChains(chains: SharedChains | undefined): SharedChains {
  if (!chains) throw new HttpError(404, 'NOT_FOUND', 'this bridge has no shared store (PostgreSQL): its one chain is GET /ledger/head');
  return chains;
}

/** Every writer's chain recomputed from the shared store; valid only if all are. */
async function verifyAll(chains: SharedChains | undefined): Promise<{ valid: boolean; chains: Array<{ chain: string; valid: boolean; length: number; firstBadIndex?: number }> }> {
  const store = sharedChains(chains);
  const out = [];
  for (const head of await store.chainHeads()) out.push({ chain: head.chain, ...(await store.verifyChain(head.chain)) });
  return { valid: out.every((c) => c.valid), chains: out };
}

/** The REST API of the original design, plus what users need to look around, and the page. */
export function createHttpApp(ctx: HttpAppContext): express.Express {
  const { service, dispatcher } = ctx;
  const app = express();
  app.disable('x-powered-by');
  // The page itself holds no data and is served to anyone; every API route below needs the token remotely.
  servePage(app, ctx.webRoot);
  app.use((req, _res, next) => {
    if (requestAuthorized(req, ctx.token)) return next();
    next(new HttpError(401, 'UNAUTHORIZED', 'requests from other hosts need the bridge token (Authorization: Bearer TOKEN or ?token=TOKEN)'));
  });
  app.use(requireJsonBody);
  app.use(express.json({ limit: ctx.bodyLimitBytes ?? 256 * 1024 }));

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, state: service.konomi.system.state, lines: dispatcher.lineCount, uptimeSeconds: uptime(ctx) });
  });
  app.get('/metrics', (_req, res) => {
    res.type('text/plain; version=0.0.4').send(
      renderMetrics({
        service,
        lines: dispatcher.lines(),
        totals: dispatcher.totals(),
        linesOpened: dispatcher.linesOpened,
        wsClients: ctx.wsClientCount(),
        uptimeSeconds: uptime(ctx),
      }),
    );
  });
  app.get('/lines', (_req, res) => {
    res.json({ lines: dispatcher.lines() });
  });

  app.get('/value', async (req, res) => {
    const q = req.query as Record<string, unknown>;
    const { x, y, z } = coordinates(q);
    const array = optionalIntField(q, 'array', 0, U16, 0);
    const cell = array === 0 && ctx.sharedCells ? await ctx.sharedCells.getCell(x, y, z) : service.getCell(x, y, z, array);
    res.json({ x, y, z, array, active: cell.active, value: cell.value, hash: toHex(cell.leafHash) });
  });
  app.post('/value', async (req, res) => {
    const body = bodyObject(req.body);
    const { x, y, z } = coordinates(body);
    const value = numberField(body, 'value');
    const array = optionalIntField(body, 'array', 0, U16, 0);
    const write = await service.setCell(x, y, z, value, array);
    res.json({ x, y, z, array, value, index: write.index, hash: toHex(write.hash) });
  });

  app.post('/template/create', async (req, res) => {
    const body = bodyObject(req.body);
    const dims = bodyObject(body.dims ?? badFieldThrow('dims', 'is required'));
    const cellsRaw = body.cells ?? [];
    if (!Array.isArray(cellsRaw)) throw badField('cells', 'must be an array');
    if (cellsRaw.length > MAX_TEMPLATE_CELLS) throw badField('cells', `holds at most ${MAX_TEMPLATE_CELLS} cells`);
    const cells: CellInput[] = cellsRaw.map((c, i) => {
      const cell = bodyObject(c);
      try {
        return { ...coordinates(cell), value: numberField(cell, 'value') };
      } catch (err) {
        throw badField(`cells[${i}]`, err instanceof Error ? err.message : String(err));
      }
    });
    const info = await service.createTemplate(
      { x: intField(dims, 'x', 1, 1024), y: intField(dims, 'y', 1, 1024), z: intField(dims, 'z', 1, 1024) },
      cells,
    );
    res.status(201).json(info);
  });
  app.post('/instance/create', async (req, res) => {
    const body = bodyObject(req.body);
    const info = await service.instantiate(intField(body, 'template', 0, U16));
    res.status(201).json(info);
  });

  app.post('/llm/process', (req, res) => {
    const body = bodyObject(req.body);
    const { x, y, z } = coordinates(body);
    const prompt = stringField(body, 'prompt', MAX_PROMPT);
    const maxTokens = optionalIntField(body, 'maxTokens', 1, 256, 32);
    res.json({ x, y, z, ...service.llmQuery(x, y, z, prompt, maxTokens) });
  });
  app.post('/llm/interlock', async (req, res) => {
    const body = bodyObject(req.body);
    const op = stringField(body, 'op', 16);
    if (op !== 'activate' && op !== 'deactivate' && op !== 'sync') throw badField('op', 'must be activate, deactivate or sync');
    const axis = stringField(body, 'axis', 1);
    if (axis !== 'x' && axis !== 'y' && axis !== 'z') throw badField('axis', 'must be x, y or z');
    const array = optionalIntField(body, 'array', 0, U16, 0);
    const result = await service.interlock({
      op,
      axis: axis as Axis,
      index: intField(body, 'index', 0, 1023),
      array,
      ...(op === 'activate' ? { value: numberField(body, 'value') } : {}),
      ...(op === 'sync' ? { to: intField(body, 'to', 0, 1023), target: optionalIntField(body, 'target', 0, U16, array) } : {}),
    });
    res.json(result);
  });

  app.get('/cubes', (_req, res) => {
    res.json({ cubes: service.cubes() });
  });
  app.get('/cubes/:id', (req, res) => {
    res.json(service.cube(intField(req.params, 'id', 0, U16)));
  });
  app.post('/cubes/:id/perturb', async (req, res) => {
    // Sets a cube's κ (or, with `vertex`, one vertex's); the κ field's ticks pull it back.
    const body = bodyObject(req.body);
    const vertex = body.vertex === undefined ? undefined : typeof body.vertex === 'string' ? body.vertex : intField(body, 'vertex', 0, 8);
    res.json(await service.perturb(intField(req.params, 'id', 0, U16), numberField(body, 'kappa'), vertex));
  });

  app.get('/ledger/head', (_req, res) => {
    res.json(service.ledgerHead());
  });
  app.get('/ledger/verify', async (req, res) => {
    if ((req.query as Record<string, unknown>).all === '1') return void res.json(await verifyAll(ctx.chains));
    res.json(service.verifyLedger());
  });
  app.get('/ledger/verify-all', async (_req, res) => {
    res.json(await verifyAll(ctx.chains));
  });
  app.get('/ledger/root', async (_req, res) => {
    const heads = await sharedChains(ctx.chains).chainHeads();
    res.json({
      root: toHex(chainsRoot(heads)),
      chains: heads.map((h) => ({ chain: h.chain, length: h.length, head: toHex(h.head) })),
    });
  });
  app.get('/ledger/proof', (req, res) => {
    const q = req.query as Record<string, unknown>;
    const { x, y, z } = coordinates(q);
    res.json(service.proof(x, y, z, optionalIntField(q, 'array', 0, U16, 0)));
  });
  app.get('/blocks', (req, res) => {
    const q = req.query as Record<string, unknown>;
    res.json(service.blocks(optionalIntField(q, 'limit', 1, 100_000, 10_000), optionalIntField(q, 'array', 0, U16, 0)));
  });

  app.use((req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.path}` } });
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = toHttpError(err);
    const line = `${req.method} ${req.path} -> ${e.status} ${e.code}: ${e.message}`;
    if (e.status >= 500) ctx.logger.error(line);
    else ctx.logger.warn(line);
    res.status(e.status).json({ error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) } });
  });
  return app;
}

/** A body that is not JSON would otherwise reach the routes as "missing": say what is wrong with it. */
function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
  if (!['POST', 'PUT', 'PATCH'].includes(req.method) || !hasBody || req.is(['application/json', '+json'])) return next();
  const type = req.headers['content-type'];
  const why = type ? `content-type ${type} is not accepted` : 'content-type is missing';
  next(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `${why}: send application/json`));
}

function servePage(app: express.Express, webRoot: string): void {
  if (existsSync(webRoot)) {
    app.use(express.static(webRoot, { index: 'index.html', fallthrough: true }));
  } else {
    app.get('/', (_req, res) => {
      res.type('html').send('<!doctype html><title>Konomi</title><p>The web page is not built yet: run <code>npm run build:web</code>, then reload.</p>');
    });
  }
}

function coordinates(source: Record<string, unknown>): { x: number; y: number; z: number } {
  return { x: intField(source, 'x', 0, U16), y: intField(source, 'y', 0, U16), z: intField(source, 'z', 0, U16) };
}

function badFieldThrow(field: string, message: string): never {
  throw badField(field, message);
}

function uptime(ctx: HttpAppContext): number {
  return Math.round((Date.now() - ctx.startedAt) / 1000);
}
