import { describe, expect, it } from 'vitest';
import { client, countPrimes, startAgent, useRestartableCoordinator, waitFor } from './harness.js';
import { allResults, decodeStdout, primeRanges, submitPrimes, waitForJob } from './job-flow.js';
import { inspectStore } from './store-inspect.js';

describe('the coordinator SIGKILLed mid-job and restarted on the same data dir', () => {
  const ctx = useRestartableCoordinator();

  it('completes the job with every result exactly once', async () => {
    let { coord } = ctx;
    const admin = client(coord.url, coord.adminToken);
    const provider = await admin.token('provider');
    const requesterToken = await admin.token('requester');
    let requester = client(coord.url, requesterToken);
    startAgent(coord.url, provider, { slots: 2, name: 'a' });
    // Another account: two hosts of one account never share a task.
    startAgent(coord.url, await admin.token('provider'), { slots: 2, name: 'b' });

    const ranges = primeRanges(300, 20_000);
    const job = await submitPrimes(requester, ranges, { redundancy: 2 });
    await waitFor(
      'some results',
      async () => {
        const r = await requester.get(`/v1/jobs/${job.id}`);
        return r.body.progress.valid >= 20;
      },
      60_000,
      10,
    );
    // Same port: the agents keep their coordinator URL and reconnect by themselves.
    coord = await ctx.restart();
    requester = client(coord.url, requesterToken);
    const final = await waitForJob(requester, job.id);
    expect(final.state).toBe('completed');
    expect(final.progress).toMatchObject({ total: 300, valid: 300 });

    const results = await allResults(requester, job.id);
    expect(results).toHaveLength(300);
    expect(new Set(results.map((r) => r.index)).size).toBe(300);
    for (const r of results) {
      const [a, b] = ranges[r.index] as [number, number];
      expect(decodeStdout(r)).toBe(`${countPrimes(a, b)}\n`);
    }
    const store = inspectStore(ctx.dataDir);
    const { cursors, counter } = store.settledCursors(job.id);
    expect(cursors.size).toBe(300);
    expect(new Set(cursors.values()).size).toBe(300);
    expect(Math.max(...cursors.values())).toBeLessThanOrEqual(counter);
    expect(store.sameHostPairs(job.id)).toEqual([]);
    store.close();
  });
});
