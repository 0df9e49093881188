import { describe, expect, it } from 'vitest';
import { compareText, validationText } from './job-format.js';

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

describe('validationText', () => {
  it('names each validation mode with its settings', () => {
    expect(validationText(undefined)).toBe('replicate (redundancy and quorum as above)');
    expect(validationText({ mode: 'none' }, true)).toBe(
      "none (the first success is accepted); homogeneous (a task's replicas on one platform)",
    );
    expect(
      validationText({ mode: 'adaptive', floor: 0.05, warmup: 20, trustedWaitMs: 30_000 }),
    ).toMatch(/^adaptive: floor 0\.05, warm-up 20, trusted wait 30/);
    expect(
      validationText({
        mode: 'adaptive',
        floor: 0.05,
        warmup: 20,
        trustedWaitMs: 30_000,
        partners: 3,
      }),
    ).toMatch(/, partners 3$/);
    expect(
      validationText({
        mode: 'spot-check',
        rate: 0.1,
        knownAnswers: [{ index: 0, digest: 'd'.repeat(64) }],
      }),
    ).toBe('spot-check: rate 0.1, 1 known answer(s)');
  });
});
