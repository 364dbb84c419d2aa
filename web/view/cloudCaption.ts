import type { BlockPoint } from '../net/coreTypes.js';

/** 1000000 → "1,000,000", whatever the browser's locale. */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * The point cloud's caption: how many cells it shows, out of how many the array holds when the
 * bridge sent only a sample ("5,000 of 1,000,000 active blocks"), and the latest change.
 */
export function cloudCaption(shown: number, total: number, newest: BlockPoint | undefined): string {
  if (!newest) return 'no active blocks yet';
  const count = total > shown
    ? `${formatCount(shown)} of ${formatCount(total)} active blocks`
    : `${formatCount(shown)} active block${shown === 1 ? '' : 's'}`;
  return `${count} · latest (${newest.x}, ${newest.y}, ${newest.z}) = ${newest.value}`;
}
