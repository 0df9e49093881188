import { describe, expect, it } from 'vitest';
import { byteRange, contentRange } from './byte-range.js';

describe('byteRange', () => {
  it('sends the whole blob without a Range header', () => {
    expect(byteRange(undefined, 100)).toEqual({ kind: 'whole' });
  });

  it('resumes from N to the end with bytes=N-', () => {
    expect(byteRange('bytes=40-', 100)).toEqual({ kind: 'partial', start: 40, end: 99 });
    expect(byteRange('bytes=0-', 100)).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(byteRange('bytes=99-', 100)).toEqual({ kind: 'partial', start: 99, end: 99 });
  });

  it('serves a closed range and clips its end to the blob', () => {
    expect(byteRange('bytes=10-19', 100)).toEqual({ kind: 'partial', start: 10, end: 19 });
    expect(byteRange('bytes=90-500', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(byteRange('Bytes= 5-5 ', 100)).toEqual({ kind: 'partial', start: 5, end: 5 });
  });

  it('serves a suffix range as the last bytes', () => {
    expect(byteRange('bytes=-10', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(byteRange('bytes=-1000', 100)).toEqual({ kind: 'partial', start: 0, end: 99 });
  });

  it('refuses a range starting at or past the end', () => {
    expect(byteRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(byteRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(byteRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(byteRange('bytes=-5', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('refuses a malformed bytes range rather than sending the whole blob', () => {
    for (const bad of [
      'bytes=',
      'bytes=-',
      'bytes=a-b',
      'bytes=20-10',
      'bytes=1-2-3',
      'bytes=99999999999999999999-',
    ]) {
      expect(byteRange(bad, 100), bad).toEqual({ kind: 'unsatisfiable' });
    }
  });

  it('ignores other units and multiple ranges (the whole blob is sent)', () => {
    expect(byteRange('items=0-5', 100)).toEqual({ kind: 'whole' });
    expect(byteRange('bytes=0-5,10-20', 100)).toEqual({ kind: 'whole' });
  });

  it('writes Content-Range for a served range and for a refusal', () => {
    expect(contentRange({ kind: 'partial', start: 40, end: 99 }, 100)).toBe('bytes 40-99/100');
    expect(contentRange({ kind: 'unsatisfiable' }, 100)).toBe('bytes */100');
  });
});
