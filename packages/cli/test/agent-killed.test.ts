import { describe, expect, it } from 'vitest';
import { countPrimes, startAgent, stopProcess, useCoordinator, waitFor } from './harness.js';
import { allResults, decodeStdout, primeRanges, submitPrimes, waitForJob } from './job-flow.js';
import { inspectStore } from './store-inspect.js';

describe('an agent SIGKILLed mid-task', () => {
  const ctx = useCoordinator();

  it('has its replicas time out and reissued; the job completes with each task validated once', async () => {
    const { coord, requester, admin, providerToken: provider } = ctx;
    // One account per host: two hosts of one account never share a task.
    const victim = startAgent(coord.url, provider, { slots: 2, name: 'victim' });
    startAgent(coord.url, await admin.token('provider'), { slots: 2, name: 'survivor-1' });
    startAgent(coord.url, await admin.token('provider'), { slots: 2, name: 'survivor-2' });

    const ranges = primeRanges(120, 40_000).map(
      ([a, b]) => [a + 2_000_000, b + 2_000_000] as [number, number],
    );
    const job = await submitPrimes(requester, ranges, { redundancy: 2, deadlineMs: 3000 });

    const store = inspectStore(coord.dataDir);
    const victimHost = await waitFor(
      'the victim to run a replica',
      async () => {
        const rows = store.query<{ host_id: number }>(
          `SELECT r.host_id FROM replicas r JOIN hosts h ON h.id = r.host_id
         WHERE h.name = 'victim' AND r.state = 'in_progress' AND r.job_id = ?`,
          job.id,
        );
        return rows[0]?.host_id;
      },
      30_000,
      20,
    );
    await stopProcess(victim.proc, 'SIGKILL');

    const final = await waitForJob(requester, job.id);
    expect(final.progress).toMatchObject({ total: 120, valid: 120 });

    const timedOut = store.query(
      `SELECT id FROM replicas WHERE job_id = ? AND host_id = ? AND state = 'timed_out'`,
      job.id,
      victimHost,
    );
    expect(timedOut.length).toBeGreaterThan(0);
    const { cursors, counter } = store.settledCursors(job.id);
    expect(cursors.size).toBe(120);
    expect(new Set(cursors.values()).size).toBe(120);
    expect(Math.max(...cursors.values())).toBeLessThanOrEqual(counter);

    const results = await allResults(requester, job.id);
    expect(results).toHaveLength(120);
    for (const r of results) {
      const [a, b] = ranges[r.index] as [number, number];
      expect(decodeStdout(r)).toBe(`${countPrimes(a, b)}\n`);
    }
    store.close();
  });
});
