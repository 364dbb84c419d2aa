import { describe, expect, it } from 'vitest';
import { DialPolicy } from './DialPolicy.js';
import { formatDialTarget, parseDialTarget } from './DialTarget.js';

describe('parseDialTarget', () => {
  it('reads host:port, [v6]:port and names; anything else is not a host', () => {
    expect(parseDialTarget('127.0.0.1:23')).toEqual({ host: '127.0.0.1', port: 23 });
    expect(parseDialTarget('BBS.Example.org:6400')).toEqual({ host: 'bbs.example.org', port: 6400 });
    expect(parseDialTarget('[::1]:2323')).toEqual({ host: '::1', port: 2323 });
    for (const text of ['1', 'xp10', '127.0.0.1', '127.0.0.1:0', 'host:65536', 'a b:23', '::1:23', 'bad_name:23', 'host:23x', ':23', '-x.org:23']) {
      expect(parseDialTarget(text), text).toBeUndefined();
    }
    expect(formatDialTarget({ host: '::1', port: 23 })).toBe('[::1]:23');
  });
});

describe('DialPolicy', () => {
  it('allows loopback by address or localhost, and other hosts only as listed HOST:PORT', () => {
    const policy = new DialPolicy(['bbs.example.org:23', '[2001:db8::5]:6400']);
    const refusal = (text: string) => policy.refusal(parseDialTarget(text)!);
    expect(refusal('127.0.0.1:6400')).toBeUndefined();
    expect(refusal('127.9.9.9:1')).toBeUndefined();
    expect(refusal('[::1]:23')).toBeUndefined();
    expect(refusal('localhost:23')).toBeUndefined();
    expect(refusal('BBS.example.org:23')).toBeUndefined();
    expect(refusal('[2001:db8::5]:6400')).toBeUndefined();
    expect(refusal('bbs.example.org:22')).toBe('bbs.example.org:22 is not loopback and not in --dial-allow');
    expect(refusal('10.0.0.1:23')).toMatch(/not in --dial-allow/);
    // A name that merely starts like loopback is not loopback.
    expect(refusal('127.0.0.1.nip.io:23')).toMatch(/not in --dial-allow/);
    expect(refusal('localhost.example.org:23')).toMatch(/not in --dial-allow/);
    expect(refusal('[::ffff:127.0.0.1]:23')).toBeUndefined();
    expect(policy.allowList).toEqual(['bbs.example.org:23', '[2001:db8::5]:6400']);
    expect(() => new DialPolicy(['bbs.example.org'])).toThrow(/not HOST:PORT/);
  });
});
