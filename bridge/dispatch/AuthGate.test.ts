import { describe, expect, it } from 'vitest';
import { Flag, Opcode } from '../../protocol/constants.js';
import type { Frame } from '../../protocol/Frame.js';
import { AuthGate } from './AuthGate.js';

const frame = (fields: Partial<Frame>): Frame => ({ flags: 0, opcode: Opcode.BLOCK_GET, seq: 1, channel: 0, fragment: 0, payload: new Uint8Array(0), ...fields });

describe('AuthGate (admission policy of a remote line)', () => {
  it('refuses PING requests and every fragment until the peer is authorized, and lets the rest through', () => {
    let authorized = false;
    const gate = new AuthGate(() => authorized);
    expect(gate.admit(frame({ opcode: Opcode.PING }))?.code).toBe('UNAUTHORIZED');
    expect(gate.admit(frame({ flags: Flag.MORE }))?.code).toBe('UNAUTHORIZED');
    expect(gate.admit(frame({ fragment: 2 }))?.code).toBe('UNAUTHORIZED');
    expect(gate.admit(frame({ opcode: Opcode.HELLO }))).toBeUndefined();
    expect(gate.admit(frame({}))).toBeUndefined(); // the dispatcher refuses it itself
    expect(gate.admit(frame({ opcode: Opcode.PING, flags: Flag.REPLY }))).toBeUndefined();
    expect(gate.mayNak()).toBe(false);
    authorized = true;
    expect(gate.admit(frame({ opcode: Opcode.PING }))).toBeUndefined();
    expect(gate.admit(frame({ flags: Flag.MORE }))).toBeUndefined();
    expect(gate.mayNak()).toBe(true);
  });
});
