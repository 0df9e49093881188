import { describe, expect, it } from 'vitest';
import { readValidatorAnswer } from './validator-answer.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('readValidatorAnswer', () => {
  it('reads the indexes agreeing with candidate 0, white space allowed', () => {
    expect(readValidatorAnswer(text(' [2, 1]\n'), 3)).toEqual({ ok: true, agreeing: [1, 2] });
    expect(readValidatorAnswer(text('[]'), 2)).toEqual({ ok: true, agreeing: [] });
  });

  it('refuses garbage, candidate 0 itself, out-of-range and repeated indexes', () => {
    for (const bad of ['', 'yes', '[1', '{"a":1}', '[0]', '[1.5]', '["1"]', '[3]', '[1,1]']) {
      expect(readValidatorAnswer(text(bad), 3).ok, bad).toBe(false);
    }
    expect(readValidatorAnswer(new Uint8Array([0xff, 0x5b]), 3).ok).toBe(false);
    expect(readValidatorAnswer(text(`[${' '.repeat(5000)}]`), 3).ok).toBe(false);
  });
});
