import express from 'express';
import type { ProgramLibrary } from '../../core/programs/ProgramLibrary.js';
import { MAX_PROGRAM_SIZE, programNameProblem } from '../../protocol/payloads/program.js';
import { decodeUtf8Strict } from '../../protocol/utf8.js';
import { HttpError, badField } from './HttpError.js';

/**
 * The program store over REST (docs/BRIDGE.md "Programs"): the same programs XP10 BASIC's SAVE
 * and LOAD reach over the line, so a person can write an agent in an editor and upload it.
 * GET /programs lists them (JSON); GET, PUT and DELETE /programs/:name move one program's text
 * as text/plain. Registered before the JSON body parser, behind the token check like every
 * API route (writes from other hosts need the token).
 */
export function programRoutes(app: express.Express, programs: ProgramLibrary): void {
  // Raw bytes, so the size limit is the wire's (bytes, not characters) and bad UTF-8 is named.
  const body = express.raw({ type: () => true, limit: MAX_PROGRAM_SIZE });
  app.get('/programs', async (_req, res) => {
    const list = await programs.list();
    res.json({ programs: list.map((p) => ({ name: p.name, size: p.size, updated: new Date(p.updated).toISOString() })) });
  });
  app.get('/programs/:name', async (req, res) => {
    const program = await programs.get(nameParam(req.params.name));
    res.type('text/plain; charset=utf-8').set('Last-Modified', new Date(program.updated).toUTCString()).send(program.text);
  });
  app.put('/programs/:name', requireText, body, async (req, res) => {
    const name = nameParam(req.params.name);
    const bytes: unknown = req.body;
    const raw = bytes instanceof Uint8Array ? bytes : new Uint8Array(0);
    let text: string;
    try {
      text = decodeUtf8Strict(raw);
    } catch {
      throw badField('body', 'the program text is not valid UTF-8');
    }
    const saved = await programs.save(name, text);
    res.json({ name: saved.name, size: saved.size, updated: new Date(saved.updated).toISOString() });
  });
  app.delete('/programs/:name', async (req, res) => {
    await programs.delete(nameParam(req.params.name));
    res.status(204).end();
  });
}

function nameParam(value: unknown): string {
  const name = typeof value === 'string' ? value : '';
  const problem = programNameProblem(name);
  if (problem !== undefined) throw badField('name', problem);
  return name;
}

function requireText(req: express.Request, _res: express.Response, next: express.NextFunction): void {
  const type = req.headers['content-type'];
  if (type === undefined || req.is('text/plain')) return next();
  next(new HttpError('UNSUPPORTED_MEDIA_TYPE', `content-type ${type} is not accepted: send the program as text/plain`));
}
