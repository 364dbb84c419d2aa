/**
 * The status bar's MIPS figure. XP10 waits in HLT between timer ticks, so an idle guest runs a few
 * ten thousand instructions a second: "0.05" reads like a stalled emulator, so below this rate the
 * page says "idle". A busy guest (or v86 at work) runs tens to hundreds of MIPS.
 */
export const IDLE_MIPS = 1;

export function mipsText(mips: number): string {
  if (!Number.isFinite(mips) || mips < IDLE_MIPS) return 'idle';
  return mips.toFixed(mips < 10 ? 2 : 1);
}
