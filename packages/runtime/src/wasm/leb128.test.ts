import { describe, expect, it } from 'vitest';
import { encodeUnsigned, readU32, readU64 } from './leb128.js';

describe('LEB128', () => {
  it('round-trips u32 values including multi-byte ones', () => {
    for (const v of [0, 1, 127, 128, 300, 65536, 0x7fffffff, 0xffffffff]) {
      const bytes = encodeUnsigned(v);
      expect(readU32(bytes, 0)).toEqual({ value: v, next: bytes.length });
    }
  });

  it('decodes the spec example 624485 as E5 8E 26', () => {
    expect([...encodeUnsigned(624485)]).toEqual([0xe5, 0x8e, 0x26]);
    expect(readU32(Uint8Array.of(0xff, 0xe5, 0x8e, 0x26), 1)).toEqual({ value: 624485, next: 4 });
  });

  it('reads u64 values beyond 2^53 exactly', () => {
    const v = (1n << 60n) + 12345n;
    expect(readU64(encodeUnsigned(v), 0).value).toBe(v);
  });

  it('rejects truncated and oversized encodings', () => {
    expect(() => readU32(Uint8Array.of(0x80, 0x80), 0)).toThrow(RangeError);
    expect(() => readU32(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x7f), 0)).toThrow(RangeError);
  });
});
