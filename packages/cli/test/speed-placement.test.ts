/**
 * Acceptance (issue 12, 3): speed- and deadline-aware placement, on a real coordinator
 * with hosts that declare a benchmark speed and take the time it implies per task
 * (declared-host.ts): a host twice as fast gets about twice the tasks of a job (±25 %),
 * and a task is not sent to a host that cannot meet its deadline — the job completes on
 * the fast host alone, and its diagnostics name the deadline.
 */

import { afterAll, describe, expect, it } from 'vitest';
import { DeclaredHost } from './declared-host.js';
import { countPrimes, example, useCoordinator } from './harness.js';
import { allResults, decodeStdout, primeRanges, waitForJob } from './job-flow.js';

describe('speed- and deadline-aware placement (real coordinator, declared hosts)', () => {
  const ctx = useCoordinator();
  const hosts: DeclaredHost[] = [];
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
  });

  async function host(name: string, speed: number, opsPerTask: number, slots = 1) {
    const h = new DeclaredHost(ctx.coord.url, await ctx.admin.token('provider', name), {
      name,
      declares: { speed, slots },
      msPerTask: (opsPerTask / speed) * 1000,
    });
    hosts.push(h);
    return h.start();
  }

  async function submit(tasks: number, policy: Record<string, unknown>) {
    const module = await ctx.requester.upload(example('prime.wasm'));
    const ranges = primeRanges(tasks, 1000);
    const r = await ctx.requester.post('/v1/jobs', {
      module,
      policy,
      tasks: ranges.map(([a, b]) => ({ args: [String(a), String(b)] })),
    });
    expect(r.status).toBe(201);
    return { id: r.body.id as number, ranges };
  }

  it('gives a host twice as fast about twice the tasks', async () => {
    const ops = 1e8;
    // 200 ms a task on the slow host, 100 ms on the fast one.
    const slow = await host('slow', 5e8, ops);
    const fast = await host('fast', 1e9, ops);
    const job = await submit(60, { estimatedOps: ops });
    expect((await waitForJob(ctx.requester, job.id)).progress.valid).toBe(60);
    for (const r of await allResults(ctx.requester, job.id)) {
      const [a, b] = job.ranges[r.index] as [number, number];
      expect(decodeStdout(r)).toBe(`${countPrimes(a, b)}\n`);
    }
    const ratio = fast.ran.length / slow.ran.length;
    console.log(
      `speed: fast ${fast.ran.length}, slow ${slow.ran.length}, ratio ${ratio.toFixed(2)}`,
    );
    expect(fast.ran.length + slow.ran.length).toBe(60);
    expect(ratio).toBeGreaterThanOrEqual(1.5);
    expect(ratio).toBeLessThanOrEqual(2.5);
    await Promise.all([slow.stop(), fast.stop()]);
  });

  it('sends no task to a host that cannot finish it before the deadline', async () => {
    const ops = 3e9;
    // 3 s a task on the slow host, 1.5 s on the fast one; the deadline is 2 s.
    const slow = await host('slow-2', 1e9, ops, 2);
    const fast = await host('fast-2', 2e9, ops, 2);
    const job = await submit(4, { estimatedOps: ops, deadlineMs: 2000, maxErrors: 0 });
    const done = await waitForJob(ctx.requester, job.id, 60_000);
    expect(done.progress).toMatchObject({ valid: 4, failed: 0 });
    expect(slow.ran).toEqual([]);
    expect(fast.ran).toHaveLength(4);
    const d = await ctx.requester.get(`/v1/jobs/${job.id}/diagnostics`);
    const deadline = d.body.requirements.find(
      (c: { requirement: string }) => c.requirement === 'deadline',
    );
    expect(deadline.failing).toBeGreaterThanOrEqual(1);
    expect(deadline.message).toMatch(/the fastest would take 1\.5 s/);
  });
});
