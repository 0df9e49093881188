/**
 * Issue 10, "trust without paying double", in a cold pool: a fresh coordinator where no
 * host has a record yet, honest agents (an account each) and a fast colluding pair of two
 * accounts that pulls far more than they do and answers every task with one wrong output.
 * Under `adaptive`, the pair holds both replicas of many tasks and confirms itself during
 * the warm-up; trust needs agreement with several distinct accounts (`partners`, docs/
 * validation.md), so it never becomes trusted, and once either is caught the results it
 * had confirmed only with untrusted hosts are verified again. The requester must end
 * with no wrong result (wrong then corrected counts apart) and both colluders quarantined.
 * The adversarial harness shares one coordinator among its cells, so its pools are warm
 * after the first; this file starts its own.
 */

import { describe, expect, it } from 'vitest';
import { fastColluder } from './adversaries/fast-pair.js';
import { useHonestGrid } from './adversaries/honest-grid.js';
import { type Cell, describeOutcome, runCell } from './adversaries/matrix.js';

const HONEST = 8;

const adaptive = {
  validation: { mode: 'adaptive', warmup: 5, trustedWaitMs: 500 },
  deadlineMs: 2000,
};

describe('cold pool: a fast colluding pair beside honest agents under adaptive', () => {
  const grid = useHonestGrid(HONEST);

  it('ends with no wrong final result and both colluders quarantined', async () => {
    const c: Cell = {
      name: 'cold-fast-pair',
      policy: adaptive,
      adversaries: [fastColluder, fastColluder],
      honestHosts: HONEST,
      tasks: 200,
      maxJobs: 20,
      offset: 7_000_000,
    };
    const o = await runCell(c, grid, 40_000);
    console.log(describeOutcome(c, o));
    expect(o.wrongFinal).toBe(0);
    expect(o.failed).toBe(0);
    expect(o.sharedByAccount).toBe(0);
    expect(o.adversaries.map((a) => a.quarantined)).toEqual([true, true]);
  });
});
