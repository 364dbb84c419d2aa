import type { Line } from '../../protocol/Line.js';
import { connectTcpLine } from './TcpLine.js';
import { connectWebSocketLine } from './WebSocketLine.js';
import { SerialPortLine } from './SerialPortLine.js';

/**
 * Opens a Line from a target string: `tcp://host:port`, `ws://host:port/path` (or wss://),
 * or a device path such as `/dev/ttyUSB0` (optionally `/dev/ttyS0@9600` for the baud rate).
 */
export async function openLine(target: string, options: { timeoutMs?: number } = {}): Promise<Line> {
  if (target.startsWith('tcp://')) {
    const url = new URL(target);
    const port = Number(url.port);
    if (!Number.isInteger(port) || port <= 0) throw new Error(`${target}: a port is required`);
    return connectTcpLine(url.hostname.replace(/^\[|\]$/g, ''), port, options);
  }
  if (target.startsWith('ws://') || target.startsWith('wss://')) return connectWebSocketLine(target, options);
  if (target.startsWith('/')) {
    const at = target.lastIndexOf('@');
    const path = at > 0 ? target.slice(0, at) : target;
    const baudRate = at > 0 ? Number(target.slice(at + 1)) : undefined;
    if (baudRate !== undefined && (!Number.isInteger(baudRate) || baudRate <= 0)) throw new Error(`${target}: bad baud rate`);
    return SerialPortLine.open(path, baudRate === undefined ? {} : { baudRate });
  }
  throw new Error(`unsupported line target "${target}" (expected tcp://host:port, ws://host:port/path or /dev/...)`);
}
