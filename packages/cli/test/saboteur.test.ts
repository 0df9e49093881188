import { describe, expect, it } from 'vitest';
import { countPrimes, startAgent, startSaboteur, useCoordinator } from './harness.js';
import { allResults, decodeStdout, primeRanges, submitPrimes, waitForJob } from './job-flow.js';
import { inspectStore } from './store-inspect.js';

describe('a provider that returns wrong outputs, redundancy 2', () => {
  const ctx = useCoordinator();

  it('is outvoted by an extra replica and its output is never canonical', async () => {
    const { coord, requester, admin, providerToken: provider } = ctx;
    // One account per host: two hosts of one account never share a task.
    startSaboteur(coord.url, provider, 2);
    startAgent(coord.url, await admin.token('provider'), { slots: 2, name: 'honest-1' });
    startAgent(coord.url, await admin.token('provider'), { slots: 2, name: 'honest-2' });

    const ranges = primeRanges(60, 10_000);
    const job = await submitPrimes(requester, ranges, { redundancy: 2 });
    const final = await waitForJob(requester, job.id);
    expect(final.progress).toMatchObject({ total: 60, valid: 60 });

    for (const r of await allResults(requester, job.id)) {
      const [a, b] = ranges[r.index] as [number, number];
      expect(decodeStdout(r)).toBe(`${countPrimes(a, b)}\n`);
    }

    const store = inspectStore(coord.dataDir);
    const saboteurHost = store.query<{ id: number }>(
      `SELECT id FROM hosts WHERE name = 'saboteur'`,
    )[0]?.id;
    const invalid = store.invalidReplicaHosts(job.id);
    expect(invalid.length).toBeGreaterThan(0);
    expect(new Set(invalid)).toEqual(new Set([saboteurHost]));
    expect(store.hostsOfValidReplicas(job.id)).not.toContain(saboteurHost);
    // Each disagreement was settled by a third replica.
    const disputed = store.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM replicas WHERE task_id IN
         (SELECT task_id FROM replicas WHERE job_id = ? AND validation = 'invalid')
       AND state = 'reported' GROUP BY task_id`,
      job.id,
    );
    expect(disputed.every((row) => row.n >= 3)).toBe(true);
    store.close();
  });
});
