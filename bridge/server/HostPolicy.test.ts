import { describe, expect, it } from 'vitest';
import { HostPolicy } from './HostPolicy.js';

describe('HostPolicy', () => {
  it('on loopback accepts only loopback names in Host, with or without a port', () => {
    const p = new HostPolicy('127.0.0.1');
    for (const h of ['127.0.0.1:3000', 'localhost:3000', 'LOCALHOST', '[::1]:3000', '127.0.0.1']) expect(p.allowsHost(h), h).toBe(true);
    for (const h of ['evil.example:3000', 'rebind.evil.example', '192.0.2.7:3000', '', 'evil.example@127.0.0.1', '127.0.0.1/x', undefined]) {
      expect(p.allowsHost(h), String(h)).toBe(false);
    }
  });

  it('accepts an absent Origin and the server\'s own, refuses other sites and "null"', () => {
    const p = new HostPolicy('127.0.0.1');
    expect(p.allowsOrigin(undefined)).toBe(true);
    expect(p.allowsOrigin('http://127.0.0.1:3000')).toBe(true);
    expect(p.allowsOrigin('http://localhost:3000')).toBe(true);
    for (const o of ['https://evil.example', 'http://127.0.0.1.evil.example', 'null', 'file://', 'chrome-extension://abc', 'garbage']) {
      expect(p.allowsOrigin(o), o).toBe(false);
    }
  });

  it('bound to one address accepts that address and the extra names given', () => {
    const p = new HostPolicy('192.0.2.9', ['konomi.lan']);
    expect(p.allowsHost('192.0.2.9:3000')).toBe(true);
    expect(p.allowsHost('konomi.lan:3000')).toBe(true);
    expect(p.allowsOrigin('http://konomi.lan:3000')).toBe(true);
    expect(p.allowsHost('127.0.0.1:3000')).toBe(false);
    expect(p.allowsHost('other.lan')).toBe(false);
  });

  it('bound to every interface accepts loopback names and the machine\'s addresses', () => {
    const p = new HostPolicy('0.0.0.0');
    expect(p.allowsHost('127.0.0.1:3000')).toBe(true);
    expect(p.allowsHost('localhost')).toBe(true);
    expect(p.allowsHost('evil.example')).toBe(false);
  });
});
