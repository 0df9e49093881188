import { describe, expect, it } from 'vitest';
import {
  floatArraysAgree,
  jsonAgree,
  jsonNumbers,
  numbersAgree,
  restIsEqual,
  sourcesAgree,
} from './numeric-compare.js';

const TIGHT = { absTol: 0, relTol: 1e-9 };
const ulpUp = (x: number) => {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  v.setBigUint64(0, v.getBigUint64(0) + 1n);
  return v.getFloat64(0);
};

function f64(...xs: number[]): Uint8Array {
  const v = new DataView(new ArrayBuffer(xs.length * 8));
  for (const [i, x] of xs.entries()) v.setFloat64(i * 8, x, true);
  return new Uint8Array(v.buffer);
}

function f32(...xs: number[]): Uint8Array {
  const v = new DataView(new ArrayBuffer(xs.length * 4));
  for (const [i, x] of xs.entries()) v.setFloat32(i * 4, x, true);
  return new Uint8Array(v.buffer);
}

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('numbersAgree', () => {
  it('accepts a difference in the last bit under a relative tolerance, not without one', () => {
    expect(numbersAgree(0.3, ulpUp(0.3), TIGHT)).toBe(true);
    expect(numbersAgree(0.3, ulpUp(0.3), { absTol: 0, relTol: 0 })).toBe(false);
  });

  it('applies the absolute tolerance near zero, where a relative one cannot help', () => {
    expect(numbersAgree(0, 1e-12, { absTol: 1e-9, relTol: 0 })).toBe(true);
    expect(numbersAgree(0, 1e-12, { absTol: 0, relTol: 0.5 })).toBe(false);
    expect(numbersAgree(1, 1.1, { absTol: 0.05, relTol: 0 })).toBe(false);
  });

  it('scales the relative tolerance by the larger magnitude', () => {
    expect(numbersAgree(100, 101, { absTol: 0, relTol: 0.01 })).toBe(true);
    expect(numbersAgree(100, 102, { absTol: 0, relTol: 0.01 })).toBe(false);
  });

  it('lets NaN agree only with NaN, and infinities only with themselves', () => {
    expect(numbersAgree(Number.NaN, Number.NaN, TIGHT)).toBe(true);
    expect(numbersAgree(Number.NaN, 1, { absTol: 1e9, relTol: 1 })).toBe(false);
    expect(numbersAgree(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, TIGHT)).toBe(true);
    expect(numbersAgree(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, TIGHT)).toBe(false);
    expect(numbersAgree(Number.POSITIVE_INFINITY, 1e308, TIGHT)).toBe(false);
  });
});

describe('raw float arrays', () => {
  it('float64: agree within tolerance element by element, little-endian', () => {
    expect(floatArraysAgree(f64(1, 0.1, 3), f64(1, ulpUp(0.1), 3), 8, TIGHT)).toBe(true);
    expect(floatArraysAgree(f64(1, 0.1, 3), f64(1, 0.1, 3.001), 8, TIGHT)).toBe(false);
  });

  it('float32: compares 4-byte values', () => {
    expect(
      floatArraysAgree(f32(1.5, 2.25), f32(1.5, 2.2500002), 4, { absTol: 0, relTol: 1e-6 }),
    ).toBe(true);
    expect(floatArraysAgree(f32(1.5, 2.25), f32(1.5, 2.5), 4, { absTol: 0, relTol: 1e-6 })).toBe(
      false,
    );
  });

  it('refuses a length mismatch and a length that is not a whole number of floats', () => {
    expect(floatArraysAgree(f64(1, 2), f64(1, 2, 3), 8, TIGHT)).toBe(false);
    const odd = new Uint8Array(12);
    expect(floatArraysAgree(odd, odd.slice(), 8, TIGHT)).toBe(false);
  });

  it('lets NaN agree with NaN only at the same place', () => {
    expect(floatArraysAgree(f64(Number.NaN, 1), f64(Number.NaN, 1), 8, TIGHT)).toBe(true);
    expect(floatArraysAgree(f64(Number.NaN, 1), f64(1, Number.NaN), 8, TIGHT)).toBe(false);
  });
});

describe('JSON', () => {
  it('finds numbers anywhere in the value and keeps the rest as text', () => {
    const parsed = jsonNumbers('{"a": [1, -2.5e3, {"b": 0.25}], "s": "x1", "n": null}');
    expect(parsed?.numbers).toEqual([1, -2500, 0.25]);
    expect(parsed?.skeleton).toBe('{"a": [0, 0, {"b": 0}], "s": "x1", "n": null}');
  });

  it('reads NaN and Infinity as numbers, and refuses text that is not JSON', () => {
    expect(jsonNumbers('[NaN, -Infinity, Infinity]')?.numbers).toEqual([
      Number.NaN,
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    ]);
    expect(jsonNumbers('[1, 2')).toBeNull();
    expect(jsonNumbers('hello 1')).toBeNull();
  });

  it('does not take digits inside strings for numbers', () => {
    expect(jsonAgree('{"v": "1.0"}', '{"v": "1.00"}', { absTol: 1, relTol: 1 })).toBe(false);
    expect(jsonNumbers('["a\\"1", 2]')?.numbers).toEqual([2]);
  });

  it('agrees within tolerance, whatever the numbers are written like', () => {
    expect(jsonAgree('[0.30000000000000004, 1e2]', '[0.3, 100.0]', TIGHT)).toBe(true);
    expect(jsonAgree('[0.31]', '[0.3]', TIGHT)).toBe(false);
  });

  it('needs the same structure and count: keys, order, layout and strings byte-equal', () => {
    expect(jsonAgree('[1, 2]', '[1, 2, 3]', TIGHT)).toBe(false);
    expect(jsonAgree('{"a": 1}', '{"b": 1}', TIGHT)).toBe(false);
    expect(jsonAgree('{"a":1,"b":2}', '{"b":2,"a":1}', TIGHT)).toBe(false);
    expect(jsonAgree('[1,2]', '[1, 2]', TIGHT)).toBe(false);
    expect(jsonAgree('[NaN, 1]', '[NaN, 1]', TIGHT)).toBe(true);
    expect(jsonAgree('[NaN, 1]', '[1, NaN]', TIGHT)).toBe(false);
  });
});

describe('sourcesAgree and restIsEqual', () => {
  it('reads bytes as the format says; an absent source agrees only with an absent one', () => {
    const spec = { ...TIGHT, format: 'json' as const };
    expect(sourcesAgree(utf8('[0.1]'), utf8('[0.10000000000000002]'), spec)).toBe(true);
    expect(sourcesAgree(utf8('[0.1]'), null, spec)).toBe(false);
    expect(sourcesAgree(null, null, spec)).toBe(true);
    expect(sourcesAgree(new Uint8Array([0xff, 0xfe]), utf8('[1]'), spec)).toBe(false);
    expect(sourcesAgree(f64(0.1), f64(ulpUp(0.1)), { ...TIGHT, format: 'float64' })).toBe(true);
  });

  it('keeps stdout and the other files exact when the source is a file', () => {
    const a = {
      stdout: { hash: 's1' },
      files: { 'out.bin': { hash: 'x' }, 'log.txt': { hash: 'l' } },
    };
    const same = {
      stdout: { hash: 's1' },
      files: { 'out.bin': { hash: 'y' }, 'log.txt': { hash: 'l' } },
    };
    const source = { file: 'out.bin' };
    expect(restIsEqual(a, same, source)).toBe(true);
    expect(restIsEqual(a, { ...same, stdout: { hash: 's2' } }, source)).toBe(false);
    expect(restIsEqual(a, { ...same, files: { 'out.bin': { hash: 'y' } } }, source)).toBe(false);
    expect(
      restIsEqual(a, { ...same, files: { ...same.files, 'log.txt': { hash: 'm' } } }, source),
    ).toBe(false);
    expect(
      restIsEqual(
        { stdout: { hash: 'a' }, files: {} },
        { stdout: { hash: 'b' }, files: {} },
        'stdout',
      ),
    ).toBe(true);
  });
});
