import { describe, expect, it } from 'vitest';
import { isPrivateAddress, networkPrefix, ruledPrefix } from './network-prefix.js';

describe('networkPrefix', () => {
  it('puts IPv4 addresses of one /24 together and the next /24 apart', () => {
    expect(networkPrefix('203.0.113.9')).toBe('203.0.113.0/24');
    expect(networkPrefix('203.0.113.250')).toBe('203.0.113.0/24');
    expect(networkPrefix('203.0.114.9')).toBe('203.0.114.0/24');
  });

  it('reads an IPv4-mapped IPv6 address as its IPv4 address, in either notation', () => {
    expect(networkPrefix('::ffff:203.0.113.9')).toBe('203.0.113.0/24');
    expect(networkPrefix('::ffff:cb00:7109')).toBe('203.0.113.0/24');
  });

  it('puts IPv6 addresses of one /48 together, whatever the notation', () => {
    expect(networkPrefix('2001:db8:7:1::5')).toBe('2001:db8:7::/48');
    expect(networkPrefix('2001:0db8:0007:ffff:1:2:3:4')).toBe('2001:db8:7::/48');
    expect(networkPrefix('2001:db8:8::1')).toBe('2001:db8:8::/48');
    expect(networkPrefix('fe80::1%eth0')).toBe('fe80:0:0::/48');
  });

  it('has no network for what is not an IP address', () => {
    expect(networkPrefix('example.org')).toBeNull();
    expect(networkPrefix('300.1.1.1')).toBeNull();
    expect(networkPrefix('')).toBeNull();
  });
});

describe('isPrivateAddress', () => {
  it('knows loopback, RFC 1918, CGNAT, link-local and unique-local ranges', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '100.64.0.1',
      '169.254.1.1',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
  });

  it('treats public addresses, and the edges of private ranges, as public', () => {
    for (const a of [
      '8.8.8.8',
      '172.32.0.1',
      '172.15.0.1',
      '100.128.0.1',
      '2001:db8::1',
      '::ffff:8.8.8.8',
    ]) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
  });
});

describe('ruledPrefix', () => {
  it('by default rules public addresses and exempts private ones', () => {
    expect(ruledPrefix('8.8.8.8', 'public')).toBe('8.8.8.0/24');
    expect(ruledPrefix('127.0.0.1', 'public')).toBeNull();
    expect(ruledPrefix('::ffff:192.168.0.7', 'public')).toBeNull();
  });

  it('rules private addresses too when told to, and nothing when off', () => {
    expect(ruledPrefix('127.0.0.1', 'all')).toBe('127.0.0.0/24');
    expect(ruledPrefix('8.8.8.8', 'off')).toBeNull();
    expect(ruledPrefix(null, 'all')).toBeNull();
  });
});
