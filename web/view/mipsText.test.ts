import { describe, expect, it } from 'vitest';
import { IDLE_MIPS, mipsText } from './mipsText.js';

describe('the MIPS figure', () => {
  it('says idle while the guest sits in HLT (a few ten thousand instructions a second)', () => {
    expect(mipsText(0.05)).toBe('idle');
    expect(mipsText(0)).toBe('idle');
    expect(mipsText(IDLE_MIPS - 0.001)).toBe('idle');
  });

  it('shows the rate once the guest computes', () => {
    expect(mipsText(IDLE_MIPS)).toBe('1.00');
    expect(mipsText(7.456)).toBe('7.46');
    expect(mipsText(183.26)).toBe('183.3');
  });
});
