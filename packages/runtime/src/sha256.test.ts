import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex, sha256HexSync, sha256Js } from './sha256.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const reference = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('sha256', () => {
  it('matches node:crypto for lengths around the padding boundaries', () => {
    for (const n of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 100_003]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      expect(hex(sha256Js(bytes)), `length ${n}`).toBe(reference(bytes));
    }
  });

  it('hashes a subarray by its own bytes, not its buffer', () => {
    const whole = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const part = whole.subarray(17, 217);
    expect(hex(sha256Js(part))).toBe(reference(Uint8Array.from(part)));
  });

  it('gives the same hex through Web Crypto', async () => {
    const bytes = new TextEncoder().encode('abc');
    expect(await sha256Hex(bytes)).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe('sha256HexSync', () => {
  it('gives the hex node:crypto gives', () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
    expect(sha256HexSync(bytes)).toBe(reference(bytes));
  });
});
