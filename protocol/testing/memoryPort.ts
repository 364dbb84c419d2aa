import { Fragmenter } from '../Fragmenter.js';
import { FrameDecoder } from '../FrameDecoder.js';
import type { Frame } from '../Frame.js';
import { emptySessionStats, type SessionEvent } from '../Session.js';
import type { SessionPort } from '../SessionPort.js';
import type { ManualClock } from './ManualClock.js';

/** A SessionPort that decodes what is written into `frames`, for testing SessionSender or SessionResponder alone. */
export function memoryPort(clock: ManualClock): SessionPort & { frames: Frame[]; events: SessionEvent[]; close(): void } {
  const decoder = new FrameDecoder();
  const frames: Frame[] = [];
  const events: SessionEvent[] = [];
  decoder.onFrame((f) => frames.push({ ...f, payload: f.payload.slice() }));
  let closed = false;
  return {
    name: 'test',
    stats: emptySessionStats(),
    clock,
    fragmenter: new Fragmenter(),
    write: (wire) => decoder.push(wire),
    sentAt: () => clock.now(),
    txTime: () => 0,
    emit: (event) => events.push(event),
    closedCode: () => (closed ? 'SESSION_CLOSED' : undefined),
    frames,
    events,
    close: () => {
      closed = true;
    },
  };
}
