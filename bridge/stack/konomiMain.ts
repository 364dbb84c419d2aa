// Runs the `konomi` command; the stack runner spawns it once per service role.
import { describeError } from '../../protocol/errors/CodedError.js';
import { main } from '../cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(describeError(err));
    process.exitCode = 1;
  },
);
