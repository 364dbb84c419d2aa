import { describe, expect, it } from 'vitest';
import { localBridge } from './localBridge.js';

describe('localBridge: where start would listen, seen from this machine', () => {
  it('defaults to the ports start uses', () => {
    const b = localBridge({});
    expect(b.packetTarget).toBe('tcp://127.0.0.1:5600');
    expect(b.wsUrl('/modem')).toBe('ws://127.0.0.1:3000/modem');
    expect(b.token).toBeUndefined();
  });

  it('reads HOST, PORT, PACKET_PORT, ROLE and TOKEN as start does; wildcards mean loopback', () => {
    expect(localBridge({ HOST: '0.0.0.0', PACKET_PORT: '5601', PORT: '8080' })).toMatchObject({ packetTarget: 'tcp://127.0.0.1:5601' });
    expect(localBridge({ HOST: '::', PORT: '8080' }).wsUrl('/capture')).toBe('ws://[::1]:8080/capture');
    expect(localBridge({ HOST: 'fd00::2' }).packetTarget).toBe('tcp://[fd00::2]:5600');
    expect(localBridge({ ROLE: 'api' }).wsUrl('/ws')).toBe('ws://127.0.0.1:3001/ws');
    expect(localBridge({ KONOMI_TOKEN: 'k' }).token).toBe('k');
  });

  it('KONOMI_TO is the whole packet target; store and cluster settings do not matter to a client', () => {
    expect(localBridge({ KONOMI_TO: '/dev/ttyUSB0@9600', PACKET_PORT: '1' }).packetTarget).toBe('/dev/ttyUSB0@9600');
    expect(localBridge({ REDIS_URL: 'redis://r:6379' }).packetTarget).toBe('tcp://127.0.0.1:5600');
  });

  it('a malformed variable is a usage error naming it', () => {
    expect(() => localBridge({ PACKET_PORT: '99999' })).toThrow(/environment: PACKET_PORT must be a port number/);
    expect(() => localBridge({ ROLE: 'db' })).toThrow(/--role must be/);
  });
});
