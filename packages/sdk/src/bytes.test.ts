import { describe, expect, it } from 'vitest';
import { fromBase64, toBytes, utf8 } from './bytes.js';
import { sha256Hex } from './content-hash.js';

describe('bytes', () => {
  it('round-trips UTF-8 text', () => {
    expect(utf8(toBytes('héllo ✓'))).toBe('héllo ✓');
  });

  it('decodes base64 inline outputs to the same bytes', () => {
    expect([...fromBase64('AAH/')]).toEqual([0, 1, 255]);
    expect(utf8(fromBase64(btoa('42\n')))).toBe('42\n');
  });

  it('hashes with sha256 as lowercase hex', async () => {
    expect(await sha256Hex(toBytes('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
