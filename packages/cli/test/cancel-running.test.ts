/**
 * @module
 * Cancelling a job stops its running tasks at once: the coordinator tells the hosts
 * running them over their work stream, instead of leaving each to find out at its next
 * heartbeat (30 s by default) or when the task's time limit ends it. Without that, a
 * one-slot provider stayed busy with a cancelled job's endless task, and the requester's
 * next job waited behind it. With two coordinators on one store, the one an agent is
 * connected to tells it, within a work poll, of a job cancelled through the other.
 */

import { describe, expect, it } from 'vitest';
import {
  client,
  example,
  startAgent,
  startCoordinator,
  useCoordinatorWithAgent,
  useSharedDataDir,
  waitFor,
} from './harness.js';
import { type Client, waitForJob } from './job-flow.js';

/**
 * Runs an endless task on the only slot, cancels its job through `canceller`, then runs a
 * three-task job; returns how long that one took.
 */
async function nextJobAfterCancel(requester: Client, canceller: Client): Promise<number> {
  const loop = await requester.upload(example('loop.wasm'));
  // A task that never ends by itself, allowed ten minutes.
  const forever = await requester.post('/v1/jobs', {
    module: loop,
    tasks: [{}],
    policy: { limits: { wallTimeMs: 600_000 } },
  });
  expect(forever.status).toBe(201);
  await waitFor('the endless task to be sent', async () => {
    const task = await requester.get(`/v1/jobs/${forever.body.id}/tasks/0`);
    return task.body.replicas?.[0]?.state === 'in_progress';
  });
  // Running, not only sent: the module is fetched and started within this.
  await new Promise((r) => setTimeout(r, 1500));
  const cancelled = await canceller.post(`/v1/jobs/${forever.body.id}/cancel`, {});
  expect(cancelled.body).toMatchObject({ state: 'cancelled' });

  const t0 = Date.now();
  const trivial = await requester.upload(example('trivial.wasm'));
  const next = await requester.post('/v1/jobs', {
    module: trivial,
    tasks: Array.from({ length: 3 }, (_, i) => ({ args: [String(i)] })),
  });
  expect(next.status).toBe(201);
  const done = await waitForJob(requester, next.body.id, 60_000);
  expect(done).toMatchObject({ state: 'completed', progress: { valid: 3 } });
  return Date.now() - t0;
}

describe('a cancelled job', () => {
  const ctx = useCoordinatorWithAgent(1);

  it('frees the slot its running task held at once, for the next job', async () => {
    const ms = await nextJobAfterCancel(ctx.requester, ctx.requester);
    // Well under the heartbeat's 30 s: the slot was freed by the cancellation itself.
    expect(ms).toBeLessThan(10_000);
  }, 90_000);
});

describe('a job cancelled through another coordinator sharing the store', () => {
  const dataDir = useSharedDataDir('anygrid-cancel-');

  it('frees the slot on the coordinator its agent is connected to within a work poll', async () => {
    const serve = () => startCoordinator({ dataDir, extraArgs: ['--discovery-ms', '100'] });
    const a = await serve();
    const b = await serve();
    const admin = client(a.url, a.adminToken);
    const requesterToken = await admin.token('requester');
    const agent = startAgent(b.url, await admin.token('provider'), { slots: 1, name: 'on-b' });
    await waitFor('the agent to join', async () => agent.output().includes('joined'));
    const ms = await nextJobAfterCancel(
      client(b.url, requesterToken),
      client(a.url, requesterToken),
    );
    expect(ms).toBeLessThan(10_000);
  }, 90_000);
});
