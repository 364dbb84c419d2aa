// Bundles the page into dist/web/ with esbuild: app.js (+ map), index.html, styles.css, xterm.css,
// v86.wasm and xp10.elf, so the bridge serves everything locally (no CDN).
// Run with `npx tsx web/build.ts` (`npm run build:web`). Excluded from web/tsconfig.json: it is Node code.
import { build } from 'esbuild';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');

/** Files copied verbatim: [source, name in dist/web, required]. The XP10 image may not be built yet. */
const assets: readonly [string, string, boolean][] = [
  ['web/index.html', 'index.html', true],
  ['web/styles.css', 'styles.css', true],
  ['node_modules/@xterm/xterm/css/xterm.css', 'xterm.css', true],
  ['node_modules/v86/build/v86.wasm', 'v86.wasm', true],
  ['images/xp10.elf', 'xp10.elf', false],
];

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

export async function buildWeb(): Promise<void> {
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: [join(root, 'web/main.ts')],
    outfile: join(out, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    minify: true,
    legalComments: 'linked',
    // libv86 reaches for these only when it detects Node; the browser path never loads them.
    external: ['node:*', 'fs', 'crypto', 'perf_hooks'],
    logLevel: 'warning',
  });
  for (const [source, name, required] of assets) {
    const from = join(root, source);
    if (!(await exists(from))) {
      if (required) throw new Error(`missing ${source}`);
      console.warn(`build:web: ${source} not found (run npm run build:guest); the page will report it`);
      continue;
    }
    await copyFile(from, join(out, name));
  }
  console.log(`build:web: wrote ${out}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildWeb().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
