/**
 * Acceptance 2 of issue 11: a long task checkpoints; its agent is SIGKILLed; another
 * agent resumes from the checkpoint. The example (examples/src/resumable.c) counts the
 * rounds it computes; the task's total work stays under 1.5x its length, and its output
 * equals an uninterrupted run's, here run by the same sandbox in this process.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeSandbox } from '@anygrid/runtime/node';
import { describe, expect, it } from 'vitest';
import { client, EXAMPLES, startAgent, stopProcess, useCoordinator, waitFor } from './harness.js';
import { allResults, decodeStdout, waitForJob } from './job-flow.js';
import { inspectStore } from './store-inspect.js';

/** Rounds of the task (~0.5 ms each here): a run of several seconds. */
const ROUNDS = 10_000;
/** The program checkpoints every this many rounds (~0.1 s). */
const EVERY = 150;
/**
 * The job's deadline: the takeover waits for it (no heartbeat comes within it: agents beat
 * every 30 s), and half the task must fit in it even on a machine several times slower.
 */
const DEADLINE_MS = 25_000;

/** An agent that sends checkpoints twice a second. */
function provider(url: string, token: string, name: string) {
  return startAgent(url, token, { slots: 1, name, extraArgs: ['--checkpoint-interval', '0.5'] });
}

/** What the example says on stderr of the work of its run. */
function workOf(stderr: string): { computed: number; resumedAt: number; chain: number } {
  const m = /rounds computed: (\d+) of \d+ \(resumed at (\d+); (\d+) in all runs/.exec(stderr);
  if (!m) throw new Error(`no work line in stderr: ${stderr}`);
  return { computed: Number(m[1]), resumedAt: Number(m[2]), chain: Number(m[3]) };
}

async function uninterrupted(): Promise<{ stdout: string; ms: number }> {
  const sandbox = new NodeSandbox({ maxWorkers: 1 });
  try {
    const module = await sandbox.compile(readFileSync(join(EXAMPLES, 'resumable.wasm')));
    const result = await sandbox.run(module, {
      args: [String(ROUNDS), String(EVERY)],
      dirs: { '/': {} },
    });
    expect(result.exitCode).toBe(0);
    expect(workOf(new TextDecoder().decode(result.stderr)).computed).toBe(ROUNDS);
    return { stdout: new TextDecoder().decode(result.stdout), ms: result.durationMs };
  } finally {
    await sandbox.close();
  }
}

describe('a checkpointing task whose agent is SIGKILLed', () => {
  const ctx = useCoordinator();

  it('resumes on another host from the checkpoint: < 1.5x the work, the same output', async () => {
    const { coord, requester, admin, providerToken } = ctx;
    const victim = provider(coord.url, providerToken, 'victim');
    let rescuer: ReturnType<typeof provider> | undefined;
    try {
      await waitFor('the victim to join', async () => victim.output().includes('joined'));

      const module = await requester.upload(readFileSync(join(EXAMPLES, 'resumable.wasm')));
      const submitted = await requester.post('/v1/jobs', {
        name: 'resumable',
        module,
        policy: { deadlineMs: DEADLINE_MS },
        tasks: [{ args: [String(ROUNDS), String(EVERY)] }],
      });
      expect(submitted.status).toBe(201);
      const jobId = submitted.body.id as number;

      // Half way, as the job view tells from the checkpoints the victim sends.
      const running = await waitFor(
        'the victim to be half way',
        async () => {
          const view = await requester.get(`/v1/jobs/${jobId}`);
          const done = view.body.progress.running as number | undefined;
          return done !== undefined && done >= 0.5 ? done : undefined;
        },
        DEADLINE_MS,
        20,
      );
      expect(running).toBeLessThan(1);
      const seenAt = Date.now();
      await stopProcess(victim.proc, 'SIGKILL');
      const killedAt = Date.now();

      const store = inspectStore(coord.dataDir);
      const [dead] = store.query<{ id: number; checkpoint_hash: string | null; progress: number }>(
        'SELECT id, checkpoint_hash, progress FROM replicas WHERE job_id = ?',
        jobId,
      );
      expect(dead?.checkpoint_hash).toMatch(/^[0-9a-f]{64}$/);

      rescuer = provider(coord.url, await admin.token('provider'), 'rescuer');
      // The reference run meanwhile: the victim's lease runs out in the background.
      const reference = await uninterrupted();
      const final = await waitForJob(requester, jobId, 60_000);
      expect(final.progress).toMatchObject({ total: 1, valid: 1 });
      expect(rescuer.output()).toContain('joined');

      const [result] = await allResults(requester, jobId);
      expect(decodeStdout(result)).toBe(reference.stdout);
      const stderr = Buffer.from(result.stderr.data, 'base64').toString('utf8');
      const work = workOf(stderr);

      // The rescuer continued the victim's chain: from its checkpoint, not from round 0. The
      // victim was half way when killed; its last checkpoint sent may lag that by up to an
      // interval (0.5 s, a tenth of the task here and more on a slow machine).
      expect(work.resumedAt).toBeGreaterThanOrEqual(ROUNDS * 0.25);
      expect(work.computed).toBe(ROUNDS - work.resumedAt);
      const replicas = store.query<{ id: number; state: string; duration_ms: number }>(
        'SELECT id, state, resumes, continued_by, duration_ms FROM replicas WHERE job_id = ? ORDER BY id',
        jobId,
      );
      expect(replicas).toMatchObject([
        { id: dead?.id, state: 'timed_out', continued_by: replicas[1]?.id },
        { state: 'reported', resumes: dead?.id },
      ]);

      // What the victim computed before it died: at most the fraction it last reported,
      // a checkpoint's worth more, and what it could do from when it reported that to the
      // kill, at the fastest speed seen (a second's margin for the report's way here).
      const speed = Math.max(
        ROUNDS / reference.ms,
        work.computed / (replicas[1]?.duration_ms ?? 1),
      );
      const victimWork = running * ROUNDS + EVERY + speed * (killedAt - seenAt + 1000);
      const total = victimWork + work.computed;
      console.log(
        `checkpoint resume: ${ROUNDS} rounds; victim killed at ≤ ${Math.round(victimWork)} ` +
          `(reported ${running}), rescuer resumed at ${work.resumedAt} and computed ${work.computed}; ` +
          `total ≤ ${Math.round(total)} = ${(total / ROUNDS).toFixed(3)}x`,
      );
      expect(work.chain).toBe(ROUNDS);
      expect(total).toBeLessThan(1.5 * ROUNDS);
      store.close();
    } finally {
      // The next test pulls work by hand: no agent of this one may take it.
      await stopProcess(victim.proc, 'SIGKILL');
      if (rescuer) await stopProcess(rescuer.proc, 'SIGKILL');
    }
  }, 90_000);

  it('refuses a checkpoint of another host, of a blob not stored, of a wrong size', async () => {
    const { coord, requester, admin } = ctx;
    const holder = client(coord.url, await admin.token('provider'));
    const other = client(coord.url, await admin.token('provider'));
    const register = async (c: typeof holder, name: string) =>
      (
        await c.post('/v1/hosts', {
          name,
          platform: 'linux-x64',
          cores: 1,
          memoryBytes: 1e9,
          slots: 1,
        })
      ).body.hostId as number;
    const holderHost = await register(holder, 'holder');
    const otherHost = await register(other, 'other');
    const module = await requester.upload(readFileSync(join(EXAMPLES, 'resumable.wasm')));
    const job = await requester.post('/v1/jobs', {
      name: 'held',
      module,
      tasks: [{ args: ['10'] }],
    });
    const work = await holder.post('/v1/work', { hostId: holderHost, max: 1 });
    const replicaId = work.body.assignments[0]?.replicaId as number;
    expect(replicaId).toBeGreaterThan(0);
    const state = new TextEncoder().encode('state of the held replica');
    const ref = await holder.upload(state);
    const send = (c: typeof holder, body: Record<string, unknown>) =>
      c.post('/v1/checkpoints', {
        hostId: holderHost,
        replicaId,
        state: ref,
        fraction: 0.5,
        ...body,
      });

    const wrongSize = await send(holder, { state: { ...ref, size: ref.size + 1 } });
    expect([wrongSize.status, wrongSize.body.error.code]).toEqual([400, 'INVALID_REQUEST']);
    const missing = await send(holder, { state: { hash: 'f'.repeat(64), size: 3 } });
    expect([missing.status, missing.body.error.code]).toEqual([422, 'BLOB_MISSING']);
    const tooLarge = await send(holder, { state: { ...ref, size: 65 * 1024 * 1024 } });
    expect([tooLarge.status, tooLarge.body.error.code]).toEqual([400, 'INVALID_REQUEST']);
    const badFraction = await send(holder, { fraction: 1.5 });
    expect([badFraction.status, badFraction.body.error.code]).toEqual([400, 'INVALID_REQUEST']);
    const notHeld = await send(other, { hostId: otherHost });
    expect([notHeld.status, notHeld.body.error.code]).toEqual([403, 'NOT_ASSIGNED']);
    const notItsHost = await send(other, {});
    expect(notItsHost.status).toBe(403);
    // None of those was kept.
    expect((await requester.get(`/v1/jobs/${job.body.id}`)).body.progress.running).toBeUndefined();

    const kept = await send(holder, {});
    expect([kept.status, kept.body]).toEqual([200, { status: 'recorded' }]);
    expect((await requester.get(`/v1/jobs/${job.body.id}`)).body.progress.running).toBe(0.5);
  });
});
