/**
 * RFC 1982 serial-number arithmetic on 16-bit sequence numbers: `a` is before `b` when the
 * forward distance from `a` to `b` is 1..32767.
 */
export const SEQ_MODULO = 0x10000;

/** Negative when `a` comes before `b`, positive when after, 0 when equal. */
export function seqCompare(a: number, b: number): number {
  return ((a - b + 0x8000) & 0xffff) - 0x8000;
}

export function seqNext(seq: number, step = 1): number {
  return (seq + step) & 0xffff;
}

/**
 * A sender never starts a request whose seq is this far (or further) past its oldest
 * unanswered request, so a receiver that remembers the answers to its peer's last
 * MAX_SEQ_SPAN requests recognises every retransmission.
 */
export const MAX_SEQ_SPAN = 1024;
