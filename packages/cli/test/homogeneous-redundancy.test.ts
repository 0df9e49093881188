/**
 * Homogeneous redundancy (issue 10, acceptance 4): with `homogeneous: true`, every
 * replica of a task runs on hosts of one platform, the platform of the host that took
 * its first replica. Real agents register as this machine's platform (linux-x64 here);
 * protocol clients register as linux-arm64 and answer correctly.
 */

import type { Assignment } from '@anygrid/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { type Behaviour, ProtocolProvider, runBehaviour } from './adversaries/protocol-provider.js';
import { countPrimes, startAgent, useCoordinator, waitFor } from './harness.js';
import { allResults, decodeStdout, primeRanges, submitPrimes, waitForJob } from './job-flow.js';
import { inspectStore } from './store-inspect.js';

const honestArm: Behaviour = {
  name: 'arm',
  max: 2,
  pullEveryMs: 20,
  catchable: false,
  answer: (_a, correct) => correct,
};

const correct = (a: Pick<Assignment, 'args'>) =>
  `${countPrimes(Number(a.args[0]), Number(a.args[1]))}\n`;

describe('homogeneous redundancy', () => {
  const ctx = useCoordinator();
  const stop = new AbortController();
  afterAll(() => stop.abort());

  it("keeps each task's replicas within one platform class", async () => {
    const { coord, admin, requester } = ctx;
    for (let i = 0; i < 2; i++) {
      startAgent(coord.url, await admin.token('provider', `x64-${i}`), {
        slots: 1,
        name: `x64-${i}`,
      });
    }
    for (let i = 0; i < 2; i++) {
      const arm = new ProtocolProvider(
        coord.url,
        await admin.token('provider', `arm-${i}`),
        `arm-${i}`,
        'linux-arm64',
      );
      await arm.register();
      void runBehaviour(arm, honestArm, correct, stop.signal);
    }

    // The agents measure their speed before they join: submit once all four are in, or the
    // quick protocol hosts would take every task first.
    await waitFor(
      'all four hosts to register',
      async () => ((await admin.get('/v1/hosts')).body.hosts as unknown[]).length >= 4,
      30_000,
    );
    const ranges = primeRanges(40, 2000);
    const job = await submitPrimes(requester, ranges, { redundancy: 2, homogeneous: true });
    const final = await waitForJob(requester, job.id);
    expect(final.policy.homogeneous).toBe(true);
    expect(final.progress).toMatchObject({ total: 40, valid: 40 });
    for (const r of await allResults(requester, job.id)) {
      const [a, b] = ranges[r.index] as [number, number];
      expect(decodeStdout(r)).toBe(`${countPrimes(a, b)}\n`);
    }

    const store = inspectStore(coord.dataDir);
    const rows = store.query<{ task_id: number; platforms: string }>(
      `SELECT r.task_id, GROUP_CONCAT(DISTINCT h.platform) AS platforms
       FROM replicas r JOIN hosts h ON h.id = r.host_id
       WHERE r.job_id = ? AND r.state <> 'abandoned' GROUP BY r.task_id`,
      job.id,
    );
    store.close();
    expect(rows).toHaveLength(40);
    const mixed = rows.filter((r) => r.platforms.includes(','));
    expect(mixed).toEqual([]);
    // Both classes did work, so the rule had something to keep apart.
    const classes = new Set(rows.map((r) => r.platforms));
    expect(classes.size).toBe(2);
  });
});
