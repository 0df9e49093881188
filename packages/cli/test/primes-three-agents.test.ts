import { describe, expect, it } from 'vitest';
import { countPrimes, startAgent, useCoordinator } from './harness.js';
import { allResults, decodeStdout, primeRanges, submitPrimes, waitForJob } from './job-flow.js';
import { inspectStore } from './store-inspect.js';

describe('three agents, 200 prime-count tasks, redundancy 2', () => {
  const ctx = useCoordinator();

  it('validates every task with outputs equal to an independent count, never two replicas on one host', async () => {
    const { coord, requester, admin } = ctx;
    // One account per host: two hosts of one account never share a task.
    for (let i = 0; i < 3; i++) {
      startAgent(coord.url, await admin.token('provider'), { slots: 2, name: `agent-${i}` });
    }

    const ranges = primeRanges(200, 5000);
    const job = await submitPrimes(requester, ranges, { redundancy: 2 });
    const final = await waitForJob(requester, job.id);
    expect(final.state).toBe('completed');
    expect(final.progress).toMatchObject({ total: 200, valid: 200, failed: 0, noConsensus: 0 });

    const results = await allResults(requester, job.id);
    expect(results).toHaveLength(200);
    expect(new Set(results.map((r) => r.index)).size).toBe(200);
    for (const r of results) {
      const [a, b] = ranges[r.index] as [number, number];
      expect(r.outcome).toBe('valid');
      expect(decodeStdout(r)).toBe(`${countPrimes(a, b)}\n`);
    }

    const store = inspectStore(coord.dataDir);
    expect(store.sameHostPairs(job.id)).toEqual([]);
    expect(store.hostsOfValidReplicas(job.id).length).toBeGreaterThanOrEqual(2);
    store.close();
  });
});
