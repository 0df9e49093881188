import { describe, expect, it } from 'vitest';
import { compareText } from './job-format.js';

describe('compareText', () => {
  it('names each comparator with its settings', () => {
    expect(compareText(undefined)).toBe('exact (byte-equal outputs)');
    expect(compareText({ kind: 'exact' })).toBe('exact (byte-equal outputs)');
    expect(
      compareText({
        kind: 'numeric',
        absTol: 0,
        relTol: 1e-9,
        source: { file: 'out.bin' },
        format: 'float64',
      }),
    ).toBe('numeric: out.bin as float64, abs tol 0, rel tol 1e-9');
    expect(
      compareText({
        kind: 'validator',
        module: { hash: 'c'.repeat(64), size: 38414 },
        timeoutMs: 10_000,
        memoryBytes: 128 * 1048576,
      }),
    ).toMatch(/^validator cccccccccccccccc… \(38414 bytes\), time .*, memory 128 MiB$/);
  });
});
