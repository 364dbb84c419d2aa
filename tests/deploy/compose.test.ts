import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// No Docker engine runs where the tests do, so the Kontainer's files are checked as data: the
// services, ports, limits and health checks the design asks for, and the 2 GB budget.

interface Service {
  image?: string;
  build?: unknown;
  ports?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  deploy?: { resources?: { limits?: { cpus?: string; memory?: string } } };
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readFileSync('deploy/compose.yaml', 'utf8'), { merge: true }) as Compose;
const dockerfile = readFileSync('deploy/Dockerfile', 'utf8');

function bytes(limit: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?)([kmg])$/i.exec(limit ?? '');
  if (!m) throw new Error(`memory limit "${limit}" is not <number><k|m|g>`);
  const unit = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[m[2]!.toLowerCase() as 'k' | 'm' | 'g'];
  return Number(m[1]) * unit;
}

describe('deploy/compose.yaml (the Kontainer)', () => {
  it('has the services of the original design on their ports', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'postgres', 'redis', 'web', 'ws']);
    expect(compose.services.web?.ports).toContain('3000:3000');
    expect(compose.services.api?.ports).toContain('3001:3001');
    expect(compose.services.ws?.ports).toContain('3002:3002');
    expect(compose.services.postgres?.image).toMatch(/^postgres:15/);
    expect(compose.services.redis?.image).toMatch(/^redis:7/);
    for (const role of ['api', 'ws', 'web']) expect(compose.services[role]?.environment?.ROLE).toBe(role);
  });

  it('gives every service a health check and resource limits, api 1 CPU / 1 GiB, web and ws half a CPU', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.healthcheck?.test.length, `${name} health check`).toBeGreaterThan(0);
      expect(service.deploy?.resources?.limits?.memory, `${name} memory limit`).toBeDefined();
    }
    expect(compose.services.api?.deploy?.resources?.limits).toMatchObject({ cpus: '1.0' });
    expect(bytes(compose.services.api?.deploy?.resources?.limits?.memory)).toBe(2 ** 30);
    expect(compose.services.web?.deploy?.resources?.limits?.cpus).toBe('0.5');
    expect(compose.services.ws?.deploy?.resources?.limits?.cpus).toBe('0.5');
  });

  it('keeps the whole stack under 2 GB of memory', () => {
    const total = Object.values(compose.services).reduce((sum, s) => sum + bytes(s.deploy?.resources?.limits?.memory), 0);
    expect(total).toBeLessThan(2e9);
  });

  it('keeps PostgreSQL and Redis data in named volumes', () => {
    for (const name of ['postgres', 'redis']) {
      const volume = compose.services[name]?.volumes?.[0]?.split(':')[0];
      expect(volume, `${name} volume`).toBeDefined();
      expect(Object.keys(compose.volumes ?? {})).toContain(volume);
    }
  });

  it('passes one token to the bridges and to the web front', () => {
    const tokens = ['api', 'ws', 'web'].map((role) => compose.services[role]?.environment?.TOKEN);
    expect(tokens[0]).toMatch(/KONOMI_TOKEN/);
    expect(new Set(tokens).size).toBe(1);
  });

  it('builds one image from the lockfile that runs the compiled bridge', () => {
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/CMD \["node", "bin\/konomi\.js", "start"\]/);
  });
});
