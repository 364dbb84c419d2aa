import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BridgeProcess {
  readonly url: string;
  readonly port: number;
  readonly log: () => string;
  stop(): Promise<void>;
}

/** An IPv4 address of this machine that is not loopback (to reach the bridge "from another host"), if any. */
export function externalIPv4(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const address of list ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return undefined;
}

/** A free TCP port on `host` (bound, read, released). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * `konomi start` as a child process on free ports with a throw-away data directory; resolves once
 * GET /healthz answers. Needs dist/bridge (npm test runs `tsc -b` first).
 */
export async function startBridge(
  root: string,
  options: { port?: number; timeoutMs?: number; host?: string; token?: string; args?: readonly string[] } = {},
): Promise<BridgeProcess> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const host = options.host ?? '127.0.0.1';
  const [port, packetPort] = [options.port ?? (await freePort(host)), await freePort(host)];
  const exposed = host === '127.0.0.1' ? [] : ['--host', host];
  const token = options.token ? ['--token', options.token] : [];
  const data = await mkdtemp(join(tmpdir(), 'konomi-web-e2e-'));
  // The page under test is always this checkout's dist/web; the bridge may come from another build
  // (KONOMI_E2E_BRIDGE_ROOT), e.g. while dist/bridge here is being rebuilt.
  const bridgeRoot = process.env['KONOMI_E2E_BRIDGE_ROOT'] ?? root;
  const child: ChildProcess = spawn(
    process.execPath,
    ['bin/konomi.js', 'start', '--port', String(port), '--packet-port', String(packetPort), '--data', data, '--web', join(root, 'dist', 'web'), ...exposed, ...token, ...(options.args ?? [])],
    { cwd: bridgeRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-20_000); });
  child.stderr?.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-20_000); });
  const url = `http://${host}:${port}/`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(data, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`konomi start exited with ${child.exitCode}:\n${output}`);
    }
    try {
      const response = await fetch(new URL('healthz', url), { headers: options.token ? { authorization: `Bearer ${options.token}` } : {} });
      if (response.ok) return { url, port, log: () => output, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(`konomi start did not answer /healthz within ${timeoutMs} ms:\n${output}`);
}
