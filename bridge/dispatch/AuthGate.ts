import { Flag, Opcode } from '../../protocol/constants.js';
import type { Frame } from '../../protocol/Frame.js';
import { ProtocolError } from '../../protocol/ProtocolError.js';
import type { AdmissionPolicy } from '../../protocol/Session.js';

/**
 * The admission policy of a remote line until its peer has presented the token (the Session
 * asks it about every frame; see AdmissionPolicy). The Session answers PING by itself, so
 * without this policy an unauthenticated peer could still get echoes: PING requests are refused
 * with UNAUTHORIZED while `authorized()` is false. Fragments are refused the same way, so an
 * unauthenticated peer cannot make the Session hold partial messages in reassembly memory, and
 * corrupt frames get no NAK. Other requests reach the dispatcher, which refuses them itself.
 */
export class AuthGate implements AdmissionPolicy {
  constructor(private readonly authorized: () => boolean) {}

  admit(frame: Frame): ProtocolError | undefined {
    if (this.authorized()) return undefined;
    const fragmented = (frame.flags & Flag.MORE) !== 0 || frame.fragment !== 0;
    if (fragmented) return new ProtocolError('UNAUTHORIZED', 'fragmented messages need the bridge token in HELLO first');
    if ((frame.flags & Flag.REPLY) === 0 && frame.opcode === Opcode.PING) {
      return new ProtocolError('UNAUTHORIZED', 'present the bridge token in HELLO first');
    }
    return undefined;
  }

  mayNak(): boolean {
    return this.authorized();
  }
}
