import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Flag, Opcode } from '../../protocol/constants.js';
import { encodeFrame } from '../../protocol/encodeFrame.js';
import type { Frame } from '../../protocol/Frame.js';
import { FrameDecoder } from '../../protocol/FrameDecoder.js';
import { encodeBlockGetRequest, decodeBlockGetReply } from '../../protocol/payloads/blockGet.js';
import { decodeBlockSetReply, encodeBlockSetRequest } from '../../protocol/payloads/blockSet.js';
import { encodeHello, makeHello, withHelloBootId } from '../../protocol/payloads/hello.js';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';

/**
 * Issue 11 item 4: exactly-once across a reconnect. A raw client on a real loopback TCP socket
 * writes frames with the seqs it chooses, so it can resend the very frame it sent before the
 * line dropped, as a client that reconnects and retransmits does.
 */
class RawClient {
  readonly frames: Frame[] = [];
  readonly wires: Uint8Array[] = [];
  private waiters: Array<() => void> = [];

  private constructor(private readonly socket: Socket) {
    const decoder = new FrameDecoder();
    decoder.onFrame((frame) => {
      this.frames.push({ ...frame, payload: frame.payload.slice() });
      this.wires.push(encodeFrame(frame));
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(opcode: number, seq: number, payload: Uint8Array): void {
    this.socket.write(encodeFrame({ flags: 0, opcode, seq, channel: 0, fragment: 0, payload }));
  }

  hello(seq: number, bootId: number): void {
    this.send(Opcode.HELLO, seq, withHelloBootId(encodeHello(makeHello({ name: 'reconnecting client' })), bootId));
  }

  /** The reply to (opcode, seq), waiting up to `timeoutMs` for it. */
  async reply(opcode: number, seq: number, timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find((f) => f.opcode === opcode && f.seq === seq && (f.flags & Flag.REPLY) !== 0);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no reply to opcode ${opcode} seq ${seq}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Drops the connection as a failing network does: no goodbye, the socket is just gone. */
  drop(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }
}

const BOOT = 0x1234abcd;
const set = (value: number) => encodeBlockSetRequest({ x: 7, y: 8, z: 9, value });

describe('duplicate suppression across reconnects (per peer boot id)', () => {
  let server: BridgeServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  const start = async (limits = {}) => {
    server = await BridgeServer.start({ port: 0, packetPort: 0, limits });
    return { port: server.packetAddress.port, ledger: () => server!.service.konomi.grid.ledgerHead().length };
  };

  it('applies a BLOCK_SET resent after a reconnect once when the line dropped after the reply, and resends the cached reply', async () => {
    const { port, ledger } = await start();
    const before = ledger();
    const first = await RawClient.open(port);
    first.hello(1, BOOT);
    await first.reply(Opcode.HELLO, 1);
    first.send(Opcode.BLOCK_SET, 2, set(1.5));
    const original = await first.reply(Opcode.BLOCK_SET, 2);
    expect(ledger()).toBe(before + 1);
    await first.drop();

    const second = await RawClient.open(port);
    second.hello(3, BOOT);
    await second.reply(Opcode.HELLO, 3);
    second.send(Opcode.BLOCK_SET, 2, set(1.5));
    const again = await second.reply(Opcode.BLOCK_SET, 2);
    expect(again).toEqual(original);
    expect(ledger()).toBe(before + 1);
    // New requests on the new line run as usual.
    second.send(Opcode.BLOCK_SET, 4, set(2.5));
    await second.reply(Opcode.BLOCK_SET, 4);
    expect(ledger()).toBe(before + 2);
    expect(server!.dispatcher.totals().duplicates).toBe(1);
    await second.drop();
  });

  it('applies it once when the line dropped before the reply was read, and answers the retransmission', async () => {
    const { port, ledger } = await start();
    const before = ledger();
    const first = await RawClient.open(port);
    first.hello(1, BOOT);
    await first.reply(Opcode.HELLO, 1);
    first.send(Opcode.BLOCK_SET, 2, set(3.5));
    await first.drop(); // gone before any reply could be read

    const second = await RawClient.open(port);
    second.hello(3, BOOT);
    await second.reply(Opcode.HELLO, 3);
    // Retransmit as a client does after its RTO: while the first copy may still be running the
    // resend is ignored, so keep resending until the (cached) reply comes.
    let reply: Frame | undefined;
    for (let attempt = 0; attempt < 20 && reply === undefined; attempt++) {
      second.send(Opcode.BLOCK_SET, 2, set(3.5));
      reply = await second.reply(Opcode.BLOCK_SET, 2, 200).catch(() => undefined);
    }
    expect(reply).toBeDefined();
    expect(reply!.flags & Flag.ERROR).toBe(0);
    expect(ledger()).toBe(before + 1);
    const { index } = decodeBlockSetReply(reply!.payload);
    expect(Number(index)).toBe(before); // the write the first line made, not a second one
    second.send(Opcode.BLOCK_GET, 5, encodeBlockGetRequest({ x: 7, y: 8, z: 9 }));
    expect(decodeBlockGetReply((await second.reply(Opcode.BLOCK_GET, 5)).payload).value).toBe(3.5);
    await second.drop();
  });

  it('treats a different boot id as a new peer: the same seq is a new request', async () => {
    const { port, ledger } = await start();
    const before = ledger();
    const first = await RawClient.open(port);
    first.hello(1, BOOT);
    await first.reply(Opcode.HELLO, 1);
    first.send(Opcode.BLOCK_SET, 2, set(4.5));
    await first.reply(Opcode.BLOCK_SET, 2);
    await first.drop();

    const restarted = await RawClient.open(port);
    restarted.hello(1, BOOT + 1);
    await restarted.reply(Opcode.HELLO, 1);
    restarted.send(Opcode.BLOCK_SET, 2, set(4.5));
    await restarted.reply(Opcode.BLOCK_SET, 2);
    expect(ledger()).toBe(before + 2);
    await restarted.drop();
  });

  it('forgets a parked cache after the session expiry', async () => {
    const { port, ledger } = await start({ sessionExpiryMs: 100 });
    const before = ledger();
    const first = await RawClient.open(port);
    first.hello(1, BOOT);
    await first.reply(Opcode.HELLO, 1);
    first.send(Opcode.BLOCK_SET, 2, set(5.5));
    await first.reply(Opcode.BLOCK_SET, 2);
    await first.drop();
    await new Promise((r) => setTimeout(r, 300));

    const late = await RawClient.open(port);
    late.hello(3, BOOT);
    await late.reply(Opcode.HELLO, 3);
    late.send(Opcode.BLOCK_SET, 2, set(5.5));
    await late.reply(Opcode.BLOCK_SET, 2);
    expect(ledger()).toBe(before + 2);
    await late.drop();
  });
});
