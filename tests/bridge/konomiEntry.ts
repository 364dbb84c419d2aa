// Runs the `konomi` command from the TypeScript sources (tests spawn it with `node --import tsx`).
import { main } from '../../bridge/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
