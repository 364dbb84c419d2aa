import { existsSync } from 'node:fs';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Axis } from '../../core/block/Dims.js';
import type { CellInput } from '../../core/orchestrator/types.js';
import type { BridgeCore } from '../dispatch/BridgeCore.js';
import type { Dispatcher } from '../dispatch/Dispatcher.js';
import { chainsRoot, type SharedChains } from '../store/PgStoreChains.js';
import type { KonomiService } from '../service/KonomiService.js';
import { blocksView, cubeKappaView, cubesView, cubeView, ledgerHeadView, proofView } from '../service/coreViews.js';
import type { Logger } from '../util/Logger.js';
import { RateLimitedLog } from '../util/RateLimitedLog.js';
import { vertexName } from '../../protocol/payloads/cubeMsg.js';
import { toHex } from '../util/hex.js';
import { HttpError, badField } from './HttpError.js';
import { DEFAULT_TEACH_STEPS, MAX_TEACH_STEPS, MAX_TEACH_TEXT } from '../../protocol/vocabulary/Teaching.js';
import { Fields } from './fields.js';
import { toHttpError } from './mapHttpError.js';
import type { DialDirectory } from '../modem/DialDirectory.js';
import { phonebookRoutes } from './phonebookRoutes.js';
import { programRoutes } from './programRoutes.js';
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
  /** The modem phonebook: GET/PUT /phonebook. */
  phonebook?: DialDirectory;
  /** Largest JSON body accepted (default 256 KiB). */
  bodyLimitBytes?: number;
  /** The bridge token; requests from non-loopback addresses must present it (none: they are refused). */
  token?: string;
  /** A clustered bridge on the shared store: GET /value of array 0 reads what any bridge committed (as BLOCK_GET does). */
  sharedCells?: Pick<BridgeCore, 'getCell'>;
  /** The shared store's chains (PostgreSQL): GET /ledger/root and /ledger/verify-all. */
  chains?: SharedChains;
  /** Where error lines go, rate-limited per code so a flood of refusals cannot flood the log (default: one over `logger`). */
  errorLog?: RateLimitedLog;
}

const U16 = 0xffff;
const MAX_PROMPT = 4096;
const MAX_TEMPLATE_CELLS = 100_000;

function sharedChains(chains: SharedChains | undefined): SharedChains {
  if (!chains) throw new HttpError('NOT_FOUND', 'this bridge has no shared store (PostgreSQL): its one chain is GET /ledger/head');
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
  const { grid, llm, cubes } = service.konomi;
  const errorLog = ctx.errorLog ?? new RateLimitedLog(ctx.logger);
  /** A plane of `arrayId` along `axis`: checked against that array's size, so the field is named and the core never refuses it. */
  const planeIndex = (body: Fields, name: string, arrayId: number, axis: Axis): number => {
    const size = grid.arrayInfo(arrayId).dims[axis];
    return body.int(name, 0, size - 1);
  };
  const app = express();
  app.disable('x-powered-by');
  // The page itself holds no data and is served to anyone; every API route below needs the token remotely.
  servePage(app, ctx.webRoot);
  app.use((req, _res, next) => {
    if (requestAuthorized(req, ctx.token)) return next();
    next(new HttpError('UNAUTHORIZED', 'requests from other hosts need the bridge token (Authorization: Bearer TOKEN or ?token=TOKEN)'));
  });
  // Program texts are text/plain: their routes come before the JSON-only body rule.
  programRoutes(app, service.konomi.programs);
  app.use(requireJsonBody);
  // Not strict: `null` or `7` is valid JSON and gets "body: must be a JSON object, got null", not "not valid JSON".
  app.use(express.json({ limit: ctx.bodyLimitBytes ?? 256 * 1024, strict: false }));

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

  // Every XP10's BASIC agents, asked over its packet line (AGENTS 0x17, docs/PROTOCOL.md).
  app.get('/agents', async (_req, res) => {
    res.json({ machines: await dispatcher.agents() });
  });

  app.get('/value', async (req, res) => {
    const q = Fields.text(req.query as Record<string, unknown>);
    const { x, y, z } = coordinates(q);
    const array = q.optionalInt('array', 0, U16, 0);
    const cell = array === 0 && ctx.sharedCells ? await ctx.sharedCells.getCell(x, y, z) : service.getCell(x, y, z, array);
    res.json({ x, y, z, array, active: cell.active, value: cell.value, hash: toHex(cell.leafHash), llm: llm.view(x, y, z) });
  });
  app.post('/value', async (req, res) => {
    const body = Fields.json(req.body);
    const { x, y, z } = coordinates(body);
    const value = body.number('value');
    const array = body.optionalInt('array', 0, U16, 0);
    const write = await service.setCell(x, y, z, value, array);
    res.json({ x, y, z, array, value, index: write.index, hash: toHex(write.hash) });
  });

  app.post('/template/create', async (req, res) => {
    const body = Fields.json(req.body);
    const dims = body.object('dims');
    const cells: CellInput[] = body.objects('cells', MAX_TEMPLATE_CELLS).map((cell) => ({ ...coordinates(cell), value: cell.number('value') }));
    const info = await grid.createTemplate({ x: dims.int('x', 1, 1024), y: dims.int('y', 1, 1024), z: dims.int('z', 1, 1024) }, cells);
    res.status(201).json(info);
  });
  app.post('/instance/create', async (req, res) => {
    const body = Fields.json(req.body);
    const info = await grid.instantiate(body.int('template', 0, U16));
    res.status(201).json(info);
  });

  app.post('/llm/process', (req, res) => {
    const body = Fields.json(req.body);
    const { x, y, z } = coordinates(body);
    const prompt = body.string('prompt', MAX_PROMPT);
    const maxTokens = body.optionalInt('maxTokens', 1, 256, 32);
    res.json({ x, y, z, ...service.llmQuery(x, y, z, prompt, maxTokens) });
  });
  app.post('/llm/teach', async (req, res) => {
    const body = Fields.json(req.body);
    const { x, y, z } = coordinates(body);
    const text = body.string('text', MAX_TEACH_TEXT);
    if (text.length < 2) throw badField('text', 'needs at least 2 characters');
    const steps = body.optionalInt('steps', 1, MAX_TEACH_STEPS, DEFAULT_TEACH_STEPS);
    res.json(await service.teach(x, y, z, text, steps));
  });
  app.post('/llm/interlock', async (req, res) => {
    const body = Fields.json(req.body);
    const op = body.choice('op', ['activate', 'deactivate', 'sync'] as const);
    const axis = body.choice('axis', ['x', 'y', 'z'] as const);
    const array = body.optionalInt('array', 0, U16, 0);
    const index = planeIndex(body, 'index', array, axis);
    const value = op === 'activate' ? body.number('value') : undefined;
    const target = op === 'sync' ? body.optionalInt('target', 0, U16, array) : undefined;
    const to = target === undefined ? undefined : planeIndex(body, 'to', target, axis);
    const receipt =
      op === 'activate'
        ? await grid.planeActivate(axis, index, value ?? 0, array)
        : op === 'deactivate'
          ? await grid.planeDeactivate(axis, index, array)
          : await grid.planeSync(axis, index, to ?? index, array, target ?? array);
    res.json({ index: receipt.index, hash: toHex(receipt.hash) });
  });

  app.get('/cubes', (_req, res) => {
    res.json({ cubes: cubesView(cubes) });
  });
  app.get('/cubes/:id', (req, res) => {
    res.json(cubeView(cubes.cube(Fields.text(req.params).int('id', 0, U16))));
  });
  app.post('/cubes/:id/message', async (req, res) => {
    const cube = Fields.text(req.params).int('id', 0, U16);
    const body = Fields.json(req.body);
    // Routed as a CUBE_MSG is: a vertex hosted by a guest (XP10) is answered by that guest.
    const answer = await dispatcher.cubeMessage({ cube, vertex: body.vertex('vertex', { wholeCube: true }), text: body.string('text', MAX_PROMPT) });
    res.json({ cube, ...answer, vertexName: vertexName(answer.vertex) });
  });
  app.post('/cubes/:id/perturb', async (req, res) => {
    // Sets a cube's κ (or, with `vertex`, one vertex's); the κ field's ticks pull it back.
    const cube = Fields.text(req.params).int('id', 0, U16);
    const body = Fields.json(req.body);
    const vertex = body.has('vertex') ? body.vertex('vertex') : undefined;
    const c = await cubes.perturb(cube, body.number('kappa', 0, 1), vertex);
    res.json(cubeKappaView(c.id, c.kappa, c.vertexKappa()));
  });

  app.get('/ledger/head', (_req, res) => {
    res.json(ledgerHeadView(grid));
  });
  app.get('/ledger/verify', async (req, res) => {
    if ((req.query as Record<string, unknown>).all === '1') return void res.json(await verifyAll(ctx.chains));
    // Sliced: a long ledger does not stall the other lines.
    const v = await grid.verifyLedgerSliced();
    res.json(v.valid ? { valid: true, length: v.length } : { valid: false, length: v.length, firstBadIndex: v.firstBadIndex });
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
    const q = Fields.text(req.query as Record<string, unknown>);
    const { x, y, z } = coordinates(q);
    res.json(proofView(grid, x, y, z, q.optionalInt('array', 0, U16, 0)));
  });
  app.get('/blocks', (req, res) => {
    const q = Fields.text(req.query as Record<string, unknown>);
    res.json(blocksView(grid, q.optionalInt('limit', 1, 100_000, 10_000), q.optionalInt('array', 0, U16, 0)));
  });

  if (ctx.phonebook) phonebookRoutes(app, ctx.phonebook);

  app.use((req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.path}` } });
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = toHttpError(err);
    const line = `${req.method} ${req.path} from ${req.socket.remoteAddress ?? '?'} -> ${e.status} ${e.code}: ${e.message}`;
    if (e.status >= 500) errorLog.error(`${e.status} ${e.code}`, line);
    else errorLog.warn(`${e.status} ${e.code}`, line);
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
  next(new HttpError('UNSUPPORTED_MEDIA_TYPE', `${why}: send application/json`));
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

function coordinates(source: Fields): { x: number; y: number; z: number } {
  return { x: source.int('x', 0, U16), y: source.int('y', 0, U16), z: source.int('z', 0, U16) };
}

function uptime(ctx: HttpAppContext): number {
  return Math.round((Date.now() - ctx.startedAt) / 1000);
}
