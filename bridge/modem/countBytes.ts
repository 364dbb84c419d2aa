import type { Line } from '../../protocol/Line.js';

export interface ByteCounts {
  /** Bytes read from the line. */
  read: number;
  /** Bytes written to the line. */
  written: number;
}

/** The same line, counting the bytes that pass in each direction (for a connection's log line). */
export function countBytes(line: Line): { line: Line; counts: ByteCounts } {
  const counts: ByteCounts = { read: 0, written: 0 };
  return {
    counts,
    line: {
      name: line.name,
      get isOpen() {
        return line.isOpen;
      },
      write: (data) => {
        counts.written += data.length;
        line.write(data);
      },
      onData: (listener) =>
        line.onData((chunk) => {
          counts.read += chunk.length;
          listener(chunk);
        }),
      onClose: (listener) => line.onClose(listener),
      close: () => line.close(),
    },
  };
}
