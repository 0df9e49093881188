/**
 * The adversarial harness (issue 10, acceptance 1): adversaries that speak the protocol
 * themselves (test/adversaries/, one file per behaviour: always wrong, wrong 10 % of the
 * time, a colluding pair, two hosts of one account, a strategic host, a fast colluding
 * pair of two accounts, a hoarder, a replayer) beside real honest agents, with
 * `replicate` (n = 2) and `adaptive`, at about 5 % and 20 % saboteurs among the hosts.
 * The requester must end with no wrong result (one accepted for a moment and corrected
 * by a re-check counts as corrected, and is printed apart), every saboteur that gives
 * wrong answers must end quarantined, a hoarder must not make a task fail, and no forged
 * report may be taken, and no task may have two replicas with hosts of one account (the
 * honest agents have an account each). The harness prints its counts, one line per cell.
 */

import { describe, expect, it } from 'vitest';
import { alwaysWrong } from './adversaries/always-wrong.js';
import { colluder } from './adversaries/colluding-pair.js';
import { fastColluder } from './adversaries/fast-pair.js';
import { hoarder } from './adversaries/hoarder.js';
import { useHonestGrid } from './adversaries/honest-grid.js';
import { type Cell, describeOutcome, runCell } from './adversaries/matrix.js';
import { replayer } from './adversaries/replayer.js';
import { sameAccountHost } from './adversaries/same-account-pair.js';
import { sometimesWrong } from './adversaries/sometimes-wrong.js';
import { strategic } from './adversaries/strategic.js';

const HONEST = 19;
const WARMUP = 5;

const replicate = { redundancy: 2, deadlineMs: 2000 };
const adaptive = {
  validation: { mode: 'adaptive', warmup: WARMUP, trustedWaitMs: 500 },
  deadlineMs: 2000,
};

/** Five saboteurs beside the honest hosts (about 20 %): three groups cover every behaviour. */
const groupA = () => [alwaysWrong, sometimesWrong, colluder, colluder, strategic(WARMUP + 3)];
const groupB = () => [fastColluder, fastColluder, hoarder, replayer(), alwaysWrong];
const groupC = () => [sameAccountHost, sameAccountHost, sometimesWrong, replayer(), alwaysWrong];

let offset = 1_000_000;
const cell = (
  name: string,
  policy: Record<string, unknown>,
  adversaries: Cell['adversaries'],
  tasks = 200,
): Cell => {
  offset += 10_000_000;
  return { name, policy, adversaries, honestHosts: HONEST, tasks, maxJobs: 40, offset };
};

describe('adversarial harness: protocol-speaking saboteurs beside honest agents', () => {
  const grid = useHonestGrid(HONEST);

  const cells: Array<[string, () => Cell]> = [
    ['replicate n=2, 5 %', () => cell('replicate-5', replicate, [alwaysWrong])],
    ['replicate n=2, 20 % (group A)', () => cell('replicate-20a', replicate, groupA())],
    ['replicate n=2, 20 % (group B)', () => cell('replicate-20b', replicate, groupB())],
    ['replicate n=2, 20 % (group C)', () => cell('replicate-20c', replicate, groupC())],
    ['adaptive, 5 %', () => cell('adaptive-5', adaptive, [strategic(WARMUP + 3)])],
    ['adaptive, 20 % (group A)', () => cell('adaptive-20a', adaptive, groupA())],
    ['adaptive, 20 % (group B)', () => cell('adaptive-20b', adaptive, groupB())],
    ['adaptive, 20 % (group C)', () => cell('adaptive-20c', adaptive, groupC())],
  ];

  for (const [title, make] of cells) {
    it(`${title}: no wrong final result, every saboteur quarantined, no task failed nor shared by one account`, async () => {
      const c = make();
      const o = await runCell(c, grid, 40_000);
      console.log(describeOutcome(c, o));
      expect(o.wrongFinal).toBe(0);
      expect(o.failed).toBe(0);
      // The store keeps a task's replicas off two hosts of one account (the same-account
      // pair of group C would vote twice otherwise).
      expect(o.sharedByAccount).toBe(0);
      for (const a of o.adversaries) {
        if (a.catchable)
          expect({ name: a.name, quarantined: a.quarantined }).toEqual({
            name: a.name,
            quarantined: true,
          });
        // A forged report is refused, never taken.
        expect(Object.keys(a.refused).filter((k) => k !== 'NOT_ASSIGNED')).toEqual([]);
      }
      if (c.adversaries.some((b) => b.name === 'replayer')) {
        const r = o.adversaries.find((a) => a.name.includes('replayer'));
        expect(r?.refused.NOT_ASSIGNED ?? 0).toBeGreaterThan(0);
      }
    });
  }
});
