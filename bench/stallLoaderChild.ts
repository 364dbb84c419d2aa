// The heavy line of bench/stall.ts, in its own process: encoding a 1 MB request and decoding its
// 1 MB reply take the client's event loop for tens of milliseconds, which must not count as the
// bridge's stall in the PING line's latencies. argv: kind (conv2d | llm | ledger), packet port,
// HTTP port. Prints "ready" once its line is up, runs until SIGTERM, then prints the count.
import { Opcode } from '../protocol/constants.js';
import { Session } from '../protocol/Session.js';
import { encodeLlmQueryRequest } from '../protocol/payloads/llmQuery.js';
import { connectTcpLine } from '../bridge/lines/TcpLine.js';
import { Random } from '../core/evgpu/Random.js';
import { Tensor } from '../core/evgpu/Tensor.js';
import { TensorOpCode } from '../core/evgpu/TensorOp.js';
import { tensorOpToWire } from '../bridge/dispatch/tensorOpWire.js';

const [kind, port, httpPort] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];

function conv2dMegabyte(): Uint8Array {
  const rng = new Random(16);
  const fill = (shape: number[]) => {
    const t = Tensor.zeros(shape);
    for (let i = 0; i < t.size; i++) t.data[i] = rng.next() * 2 - 1;
    return t;
  };
  // 16×126×126 floats in (1.0 MB), 16 filters of 3×3: about 0.3 s of CPU on the bridge's main thread.
  return tensorOpToWire(TensorOpCode.conv2d, [fill([1, 16, 126, 126]), fill([16, 16, 3, 3])], [1, 1]);
}

const line = await connectTcpLine('127.0.0.1', port);
const session = new Session(line, { name: 'loader', window: 1, initialRtoMs: 5000 });
await session.hello();
const conv = kind === 'conv2d' ? conv2dMegabyte() : new Uint8Array(0);
let q = 0;
const once: () => Promise<void> =
  kind === 'conv2d'
    ? () => session.request(Opcode.TENSOR_OP, conv).then(() => undefined)
    : kind === 'llm'
      ? async () => {
          // A burst of 8 FemtoLLM answers of 32 tokens.
          for (let i = 0; i < 8; i++) await session.request(Opcode.LLM_QUERY, encodeLlmQueryRequest({ x: 1, y: 2, z: 3, prompt: `tell me about cube ${q++}`, maxTokens: 32 }));
        }
      : async () => {
          const r = await fetch(`http://127.0.0.1:${httpPort}/ledger/verify`);
          const v = (await r.json()) as { valid: boolean; length: number };
          if (!v.valid) throw new Error(`ledger verify: ${JSON.stringify(v)}`);
        };
let done = false;
let count = 0;
process.on('SIGTERM', () => {
  done = true;
});
process.stdout.write('ready\n');
while (!done) {
  await once();
  count++;
}
session.close();
process.stdout.write(`${count}\n`);
process.exit(0);
