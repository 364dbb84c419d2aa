import type WebSocket from 'ws';
import type { Disposable } from '../../protocol/Disposable.js';
import type { Line } from '../../protocol/Line.js';
import { FrameDecoder } from '../../protocol/FrameDecoder.js';
import type { Logger } from '../util/Logger.js';
import { enhancedPacketBlock, interfaceBlock, sectionHeaderBlock, type Direction } from './pcapng.js';

/** Capture streams this far behind are dropped rather than buffering without bound. */
const MAX_STREAM_BACKLOG = 8 << 20;

interface Subscriber {
  send(block: Uint8Array): boolean;
  interfaces: Map<number, number>;
}

interface TappedLineInfo {
  id: number;
  name: string;
}

/**
 * Records every frame of every tapped line, both directions, with timestamps, as pcapng
 * blocks streamed to subscribers (the `/capture` WebSocket that `konomi capture` reads).
 * Frames are only decoded while someone is capturing, so the tap costs nothing otherwise.
 */
export class FrameCapture {
  private readonly subscribers = new Set<Subscriber>();
  private nextLineId = 0;

  get active(): boolean {
    return this.subscribers.size > 0;
  }

  /** Wraps a line so that its frames in and out reach the capture. */
  tap(line: Line): Line {
    const info: TappedLineInfo = { id: this.nextLineId++, name: line.name };
    const inbound = new FrameDecoder();
    const outbound = new FrameDecoder();
    inbound.onFrame((_frame, content) => this.record(info, 'in', content));
    outbound.onFrame((_frame, content) => this.record(info, 'out', content));
    line.onData((chunk) => {
      if (this.active) inbound.push(chunk);
    });
    return {
      name: line.name,
      get isOpen() {
        return line.isOpen;
      },
      write: (data) => {
        if (this.active) outbound.push(data);
        line.write(data);
      },
      onData: (listener) => line.onData(listener),
      onClose: (listener) => line.onClose(listener),
      close: () => line.close(),
    };
  }

  /** Adds a subscriber that receives raw pcapng bytes; returns a handle to stop it. */
  subscribe(send: (block: Uint8Array) => boolean): Disposable {
    const subscriber: Subscriber = { send, interfaces: new Map() };
    if (!send(sectionHeaderBlock())) return { dispose: () => undefined };
    this.subscribers.add(subscriber);
    return { dispose: () => this.subscribers.delete(subscriber) };
  }

  /** Streams the capture over a WebSocket as binary messages until either side closes. */
  stream(ws: WebSocket, logger: Logger): void {
    logger.info('capture started');
    const sub = this.subscribe((block) => {
      if (ws.readyState !== ws.OPEN) return false;
      if (ws.bufferedAmount > MAX_STREAM_BACKLOG) {
        logger.warn('capture client is too slow; closing it');
        ws.close(1013, 'capture backlog');
        return false;
      }
      ws.send(block, { binary: true });
      return true;
    });
    ws.on('close', () => {
      sub.dispose();
      logger.info('capture stopped');
    });
  }

  close(): void {
    this.subscribers.clear();
  }

  private record(line: TappedLineInfo, direction: Direction, content: Uint8Array): void {
    const timestampUs = BigInt(Date.now()) * 1000n;
    for (const sub of [...this.subscribers]) {
      let interfaceId = sub.interfaces.get(line.id);
      if (interfaceId === undefined) {
        interfaceId = sub.interfaces.size;
        sub.interfaces.set(line.id, interfaceId);
        if (!sub.send(interfaceBlock(line.name))) {
          this.subscribers.delete(sub);
          continue;
        }
      }
      if (!sub.send(enhancedPacketBlock({ interfaceId, timestampUs, direction, data: content.slice() }))) this.subscribers.delete(sub);
    }
  }
}
