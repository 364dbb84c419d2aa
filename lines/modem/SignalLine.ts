import type { Line } from '../../protocol/Line.js';

/**
 * A Line whose far end is a UART that sees modem-status inputs: the COM2 of an XP10 guest
 * (v86's serial_set_carrier_detect / serial_set_ring_indicator) or a real port's control lines.
 * The modem drives these when its DTE is such a line.
 */
export interface SignalLine extends Line {
  setCarrierDetect(on: boolean): void;
  setRingIndicator(on: boolean): void;
}

export function isSignalLine(line: Line): line is SignalLine {
  const candidate = line as Partial<SignalLine>;
  return typeof candidate.setCarrierDetect === 'function' && typeof candidate.setRingIndicator === 'function';
}
