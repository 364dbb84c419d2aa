#!/usr/bin/env node
// The `konomi` command. The TypeScript sources are compiled to dist/ by `npm run build`.
import { main } from '../dist/bridge/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err instanceof Error ? err.message : String(err)); process.exitCode = 1; },
);
