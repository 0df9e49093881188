/**
 * @module
 * The retention verbs of every `Store` adapter: which finished jobs are due, how a purge
 * deletes a job a bounded step at a time and leaves a tombstone answering JOB_PURGED,
 * that a purge begun before a restart is resumed, and which blobs stay in use.
 */

import { createHash } from 'node:crypto';
import { JobPurgedError } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { host, job, ok } from './store.case.js';
import type { NewJob, Store } from './store.js';

const MODULE = 'a'.repeat(64);
const SHARED = 'b'.repeat(64);
const OWN_INPUT = 'c'.repeat(64);
const OUTPUT = 'd'.repeat(64);

/** A job whose tasks read one input shared with other jobs, and each its own file. */
function jobWithInputs(tasks: number, ownInput: string): NewJob {
  const base = job(tasks);
  return {
    ...base,
    tasks: base.tasks.map((t) => ({
      ...t,
      stdin: { hash: SHARED, size: 3 },
      files: { 'own.txt': { hash: ownInput, size: 4 } },
    })),
  };
}

/**
 * `open(path?)` opens the store (again, when given the path it returned before): the
 * resume case reopens it as a restart would.
 */
export function describeRetention(
  name: string,
  open: (again?: string) => Promise<{ store: Store; path: string }>,
): void {
  describe(`${name} store retention`, () => {
    async function finishedJob(store: Store, tasks: number) {
      const owner = await store.createToken('requester', 'req', 'r', undefined, 0);
      const prov = await store.createToken('provider', 'prov', 'p', undefined, 0);
      const hostId = await store.registerHost(prov.accountId, { ...host, slots: 1000 }, 0);
      const { job: done, changes } = await store.createJob(
        owner.accountId,
        jobWithInputs(tasks, OWN_INPUT),
        0,
      );
      const sent = await store.assignReplicas(hostId, changes.ready, 1);
      // Each task's stdout is a blob, not inline: the output must count as a use.
      await store.applyReports(
        hostId,
        sent.map((a) => ({ ...ok(a.replicaId), stdout: { hash: OUTPUT, size: 5 } })),
        1_000,
      );
      // Another job, still running, shares the module and the input.
      const { job: running } = await store.createJob(
        owner.accountId,
        jobWithInputs(3, 'e'.repeat(64)),
        2_000,
      );
      return { owner, done, running };
    }

    it('lists a finished job as due only once its retention has passed, never a running one', async () => {
      const { store } = await open();
      const { owner, done, running } = await finishedJob(store, 5);
      expect((await store.getJob(done.id, owner))?.state).toBe('completed');
      expect(await store.purgeDue(999, 10)).toEqual([]);
      expect(await store.purgeDue(1_000, 10)).toEqual([
        { jobId: done.id, finishedAt: 1_000, started: false },
      ]);
      expect(await store.beginPurge(running.id, 3_000)).toBe(false);
      expect((await store.purgeDue(10_000, 10)).map((d) => d.jobId)).toEqual([done.id]);
      await store.close();
    });

    it('purges a job in steps of at most the batch, then answers JOB_PURGED and keeps shared blobs in use', async () => {
      const { store } = await open();
      const { owner, done, running } = await finishedJob(store, 25);
      expect(await store.blobsInUse([MODULE, SHARED, OWN_INPUT, OUTPUT])).toEqual(
        new Set([MODULE, SHARED, OWN_INPUT, OUTPUT]),
      );
      expect(await store.beginPurge(done.id, 5_000)).toBe(true);
      expect(await store.beginPurge(done.id, 5_001)).toBe(false);
      await expect(store.getJob(done.id, owner)).rejects.toBeInstanceOf(JobPurgedError);
      await expect(store.getJob(done.id, owner)).rejects.toMatchObject({
        code: 'JOB_PURGED',
        details: { jobId: done.id, finishedAt: 1_000, purgedAt: 5_000 },
      });
      expect((await store.listJobs(owner, 10)).map((j) => j.id)).toEqual([running.id]);
      const steps = [];
      for (;;) {
        const step = await store.purgeStep(done.id, 7, 6_000);
        steps.push(step.tasks);
        if (step.done) break;
      }
      expect(steps).toEqual([7, 7, 7, 4, 0, 0]);
      expect(await store.listResults(done.id, 0, 100)).toEqual([]);
      expect(await store.purgeDue(1e12, 10)).toEqual([]);
      // The module and the shared input are still the running job's; the rest is free.
      expect(await store.blobsInUse([MODULE, SHARED, OWN_INPUT, OUTPUT])).toEqual(
        new Set([MODULE, SHARED]),
      );
      // The running job is untouched.
      expect((await store.getJob(running.id, owner))?.progress.pending).toBe(3);
      await store.close();
    });

    it('resumes a purge begun before a restart, whatever the retention is then', async () => {
      const first = await open();
      const { owner, done } = await finishedJob(first.store, 10);
      await first.store.beginPurge(done.id, 5_000);
      expect((await first.store.purgeStep(done.id, 4, 5_000)).tasks).toBe(4);
      await first.store.close();
      const { store } = await open(first.path);
      expect(await store.purgeDue(0, 10)).toEqual([
        { jobId: done.id, finishedAt: 1_000, started: true },
      ]);
      await expect(store.getJob(done.id, owner)).rejects.toBeInstanceOf(JobPurgedError);
      let tasks = 0;
      for (;;) {
        const step = await store.purgeStep(done.id, 4, 6_000);
        tasks += step.tasks;
        if (step.done) break;
      }
      expect(tasks).toBe(6);
      expect(await store.purgeDue(1e12, 10)).toEqual([]);
      await store.close();
    });

    it("purges a task graph's edges and the parents' inline outputs its children read", async () => {
      const { store } = await open();
      const owner = await store.createToken('requester', 'req', 'r', undefined, 0);
      const prov = await store.createToken('provider', 'prov', 'p', undefined, 0);
      const hostId = await store.registerHost(prov.accountId, { ...host, slots: 10 }, 0);
      const base = job(2);
      const tasks = base.tasks.map((t, i) => (i === 1 ? { ...t, dependsOn: [0] } : t));
      const created = await store.createJob(owner.accountId, { ...base, tasks }, 0);
      const [parent] = await store.assignReplicas(hostId, created.changes.ready, 1);
      const bytes = Buffer.from('parent says hi\n');
      const hash = createHash('sha256').update(bytes).digest('hex');
      const stdout = { hash, size: bytes.byteLength, data: bytes.toString('base64') };
      const released = await store.applyReports(hostId, [{ ...ok(parent!.replicaId), stdout }], 2);
      // The child now reads the parent's stdout: kept while the job lives.
      expect(await store.blobsInUse([hash])).toEqual(new Set([hash]));
      expect(Buffer.from((await store.graphInput(hash))!).toString()).toBe('parent says hi\n');
      const [child] = await store.assignReplicas(hostId, released.changes.ready, 3);
      await store.applyReports(hostId, [ok(child!.replicaId)], 4);
      const id = created.job.id;
      expect((await store.getJob(id, owner))?.state).toBe('completed');
      expect(await store.beginPurge(id, 10)).toBe(true);
      for (let i = 0; i < 20 && !(await store.purgeStep(id, 1, 10)).done; i++);
      expect(await store.blobsInUse([hash])).toEqual(new Set());
      expect(await store.graphInput(hash)).toBeNull();
      await store.close();
    });
  });
}
