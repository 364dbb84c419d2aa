import { Opcode } from '../../protocol/constants.js';
import { Session } from '../../protocol/Session.js';
import { decodeBlockGetReply, encodeBlockGetRequest, type BlockGetReply } from '../../protocol/payloads/blockGet.js';
import { decodeBlockSetReply, encodeBlockSetRequest, type BlockSetReply } from '../../protocol/payloads/blockSet.js';
import { decodeCubeMsgReply, encodeCubeMsgRequest, type CubeMsgReply } from '../../protocol/payloads/cubeMsg.js';
import { connectTcpLine, type TcpLine } from '../../bridge/lines/TcpLine.js';

/** A script on a bridge's packet port: the 56k protocol over TCP. */
export class PacketClient {
  private constructor(
    private readonly line: TcpLine,
    private readonly session: Session,
  ) {}

  static async connect(port: number, name = 'script'): Promise<PacketClient> {
    const line = await connectTcpLine('127.0.0.1', port);
    return new PacketClient(line, new Session(line, { name }));
  }

  async blockSet(x: number, y: number, z: number, value: number, timeoutMs = 10_000): Promise<BlockSetReply> {
    const reply = await this.session.request(Opcode.BLOCK_SET, encodeBlockSetRequest({ x, y, z, value }), { timeoutMs });
    return decodeBlockSetReply(reply.payload);
  }

  async blockGet(x: number, y: number, z: number, timeoutMs = 10_000): Promise<BlockGetReply> {
    const reply = await this.session.request(Opcode.BLOCK_GET, encodeBlockGetRequest({ x, y, z }), { timeoutMs });
    return decodeBlockGetReply(reply.payload);
  }

  async cubeMsg(cube: number, vertex: number, text: string, timeoutMs = 20_000): Promise<CubeMsgReply> {
    const reply = await this.session.request(Opcode.CUBE_MSG, encodeCubeMsgRequest({ cube, vertex, text }), { timeoutMs });
    return decodeCubeMsgReply(reply.payload);
  }

  close(): void {
    this.session.close();
    this.line.close();
  }
}
