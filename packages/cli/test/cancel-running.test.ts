/**
 * @module
 * Cancelling a job stops its running tasks at once: the coordinator tells the hosts
 * running them over their work stream, instead of leaving each to find out at its next
 * heartbeat (30 s by default) or when the task's time limit ends it. Without that, a
 * one-slot provider stayed busy with a cancelled job's endless task, and the requester's
 * next job waited behind it.
 */

import { describe, expect, it } from 'vitest';
import { example, useCoordinatorWithAgent, waitFor } from './harness.js';
import { waitForJob } from './job-flow.js';

describe('a cancelled job', () => {
  const ctx = useCoordinatorWithAgent(1);

  it('frees the slot its running task held at once, for the next job', async () => {
    const loop = await ctx.requester.upload(example('loop.wasm'));
    // A task that never ends by itself, allowed ten minutes.
    const forever = await ctx.requester.post('/v1/jobs', {
      module: loop,
      tasks: [{}],
      policy: { limits: { wallTimeMs: 600_000 } },
    });
    expect(forever.status).toBe(201);
    await waitFor('the endless task to be sent', async () => {
      const task = await ctx.requester.get(`/v1/jobs/${forever.body.id}/tasks/0`);
      return task.body.replicas?.[0]?.state === 'in_progress';
    });
    // Running, not only sent: the module is fetched and started within this.
    await new Promise((r) => setTimeout(r, 1500));
    const cancelled = await ctx.requester.post(`/v1/jobs/${forever.body.id}/cancel`, {});
    expect(cancelled.body).toMatchObject({ state: 'cancelled' });

    const t0 = Date.now();
    const trivial = await ctx.requester.upload(example('trivial.wasm'));
    const next = await ctx.requester.post('/v1/jobs', {
      module: trivial,
      tasks: Array.from({ length: 3 }, (_, i) => ({ args: [String(i)] })),
    });
    expect(next.status).toBe(201);
    const done = await waitForJob(ctx.requester, next.body.id, 60_000);
    expect(done).toMatchObject({ state: 'completed', progress: { valid: 3 } });
    // Well under the heartbeat's 30 s: the slot was freed by the cancellation itself.
    expect(Date.now() - t0).toBeLessThan(10_000);
  }, 90_000);
});
