import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { MAX_PROGRAM_SIZE, normalizeProgramName, programNameProblem } from '../../../protocol/payloads/program.js';
import type { CliIo } from '../CliIo.js';
import { localBridge } from '../localBridge.js';
import { parseArgs, stringOption, UsageError } from '../parseArgs.js';

const OPTIONS = {
  api: { type: 'string' },
  token: { type: 'string' },
  name: { type: 'string' },
} as const;

interface ListedProgram {
  name: string;
  size: number;
  updated: string;
}

/**
 * `konomi program put FILE [--name NAME] | get NAME | list | rm NAME`: the bridge's program
 * store over its REST API (the programs XP10 BASIC SAVEs and LOADs). Exit 2 on bad arguments,
 * 1 when the bridge refuses (its code and message are printed) or cannot be reached.
 */
export async function programCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  const [action, ...rest] = args.positional;
  const bridge = localBridge(process.env);
  const api = (stringOption(args, 'api') ?? bridge.httpUrl('')).replace(/\/+$/, '');
  const token = stringOption(args, 'token') ?? bridge.token;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const url = (name?: string): string => `${api}/programs${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
  if (action !== 'put' && stringOption(args, 'name') !== undefined) throw new UsageError('--name is for `program put`');
  switch (action) {
    case 'put': {
      const file = exactly(rest, 1, 'program put FILE [--name NAME]')[0]!;
      const name = stringOption(args, 'name') ?? nameFromFile(file);
      checkName(name);
      let text: Buffer;
      try {
        text = await readFile(file);
      } catch (err) {
        io.err(`konomi program: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
        return 1;
      }
      if (text.length > MAX_PROGRAM_SIZE) {
        io.err(`konomi program: ${file} is ${text.length} bytes, a program is at most ${MAX_PROGRAM_SIZE}\n`);
        return 1;
      }
      const res = await send(io, url(name), { method: 'PUT', headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' }, body: new Uint8Array(text) });
      if (!res) return 1;
      const saved = (await res.json()) as ListedProgram;
      io.out(`saved ${saved.name} (${saved.size} bytes)\n`);
      return 0;
    }
    case 'get': {
      const name = exactly(rest, 1, 'program get NAME')[0]!;
      checkName(name);
      const res = await send(io, url(name), { headers });
      if (!res) return 1;
      io.outBytes(new Uint8Array(await res.arrayBuffer()));
      return 0;
    }
    case 'list': {
      exactly(rest, 0, 'program list');
      const res = await send(io, url(), { headers });
      if (!res) return 1;
      const { programs } = (await res.json()) as { programs: ListedProgram[] };
      const width = Math.max(4, ...programs.map((p) => p.name.length));
      io.out(`${'NAME'.padEnd(width)}  ${'BYTES'.padStart(6)}  UPDATED\n`);
      for (const p of programs) io.out(`${p.name.padEnd(width)}  ${String(p.size).padStart(6)}  ${p.updated}\n`);
      return 0;
    }
    case 'rm': {
      const name = exactly(rest, 1, 'program rm NAME')[0]!;
      checkName(name);
      const res = await send(io, url(name), { method: 'DELETE', headers });
      if (!res) return 1;
      io.out(`deleted ${name.toUpperCase()}\n`);
      return 0;
    }
    case undefined:
      throw new UsageError('program needs an action: put, get, list or rm');
    default:
      throw new UsageError(`unknown program action "${action}": put, get, list or rm`);
  }
}

function exactly(args: string[], count: number, form: string): string[] {
  if (args.length !== count) throw new UsageError(`usage: konomi ${form}`);
  return args;
}

function checkName(name: string): void {
  const problem = programNameProblem(name);
  if (problem !== undefined) throw new UsageError(problem);
}

/** `life.bas` → LIFE; a file name that is no program name needs --name. */
function nameFromFile(file: string): string {
  const stem = basename(file, extname(file));
  if (normalizeProgramName(stem) === undefined) throw new UsageError(`"${stem}" (from ${file}) is no program name: give one with --name NAME`);
  return stem;
}

/** The response when it is 2xx; otherwise prints the bridge's error (or why it could not be reached) and returns undefined. */
async function send(io: CliIo, url: string, init: RequestInit): Promise<Response | undefined> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    io.err(`konomi program: cannot reach ${url}${cause}\n`);
    return undefined;
  }
  if (res.ok) return res;
  let detail = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    if (body.error) detail = `${body.error.code ?? res.status}: ${body.error.message ?? ''}`;
  } catch {
    // not JSON: the status line says enough
  }
  io.err(`konomi program: ${detail}\n`);
  return undefined;
}
