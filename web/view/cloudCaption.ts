import type { BlockPoint } from '../net/coreTypes.js';

/** 1000000 → "1,000,000", whatever the browser's locale. */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * The point cloud's caption: how many cells it shows, out of how many the array holds when the
 * bridge sent only a sample ("5,000 of 1,000,000 active blocks"), and the last write this page saw.
 * GET /blocks says nothing about the order of writes, so a page that has seen none says so instead of
 * naming an arbitrary cell: a `block` event is a write (with its ledger entry), a value that changed
 * between two samples is a change seen by polling.
 */
export function cloudCaption(shown: number, total: number, lastWrite: BlockPoint | undefined): string {
  if (shown === 0) return 'no active blocks yet';
  const count = total > shown
    ? `${formatCount(shown)} of ${formatCount(total)} active blocks`
    : `${formatCount(shown)} active block${shown === 1 ? '' : 's'}`;
  if (!lastWrite) return `${count} · no writes since this page opened`;
  const cell = `(${lastWrite.x}, ${lastWrite.y}, ${lastWrite.z}) = ${lastWrite.value}`;
  return lastWrite.index === undefined
    ? `${count} · last change seen ${cell}`
    : `${count} · last write ${cell}, ledger #${lastWrite.index}`;
}
