import { describe, expect, it } from 'vitest';
import { MAX_CLUSTER_MESSAGE, parseBridgeStatus, parseClusterMessage } from './ClusterMessage.js';

describe('ClusterMessage', () => {
  it('parses the three message kinds', () => {
    expect(parseClusterMessage('{"t":"req","id":1,"from":"bridge-a","payload":"AAE="}')).toEqual({ t: 'req', id: 1, from: 'bridge-a', payload: 'AAE=' });
    expect(parseClusterMessage('{"t":"rep","id":2,"payload":""}')).toEqual({ t: 'rep', id: 2, payload: '' });
    expect(parseClusterMessage('{"t":"err","id":3,"code":8,"message":"gone"}')).toEqual({ t: 'err', id: 3, code: 8, message: 'gone' });
  });

  it('ignores anything malformed instead of throwing', () => {
    for (const text of [
      'not json',
      '[]',
      'null',
      '{"t":"req","id":1,"from":"bad id with spaces","payload":""}',
      '{"t":"req","id":1.5,"from":"a","payload":""}',
      '{"t":"rep","id":1}',
      '{"t":"err","id":1,"code":"x","message":"m"}',
      '{"t":"nope","id":1}',
      `{"t":"rep","id":1,"payload":"${'A'.repeat(MAX_CLUSTER_MESSAGE)}"}`,
    ]) {
      expect(parseClusterMessage(text)).toBeUndefined();
    }
  });

  it('status messages need every field', () => {
    const status = { bridge: 'a', http: 'http://x', packet: 'tcp://y', ledgerLength: 3, ledgerHead: '00', cubeKappa: 0.6, llmKappa: 0, at: 1 };
    expect(parseBridgeStatus(JSON.stringify(status))).toEqual(status);
    expect(parseBridgeStatus(JSON.stringify({ ...status, ledgerLength: null }))).toBeUndefined();
    expect(parseBridgeStatus(JSON.stringify({ ...status, bridge: '' }))).toBeUndefined();
  });
});
