/**
 * @module
 * Task graphs through the `Store` contract, for every adapter: a child gets no replica
 * until its parents are valid, then their outputs as input files; a parent that fails
 * fails its descendants with a reason naming it; parts may name tasks sent before; and
 * everything holds for a store reopened on the same file (a restart).
 */

import { createHash } from 'node:crypto';
import {
  Assignment,
  type OutputRef,
  parentFilePath,
  parentStdoutPath,
  TaskDependencyUnknownError,
} from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { ReadyQueue, resolvePolicy } from '../policy/index.js';
import { host, ok } from './store.case.js';
import type { ChangeSet, NewJob, Principal, Store, VerifiedReport } from './store.js';

const MODULE = { hash: 'a'.repeat(64), size: 10 };

/** Inline output bytes as a report carries them. */
function inline(text: string): OutputRef {
  const bytes = Buffer.from(text);
  return {
    hash: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.byteLength,
    data: bytes.toString('base64'),
  };
}

/** A job whose task i has argv [i] and the given parents. */
function graphJob(deps: ReadonlyArray<readonly number[] | undefined>, policy = {}): NewJob {
  return {
    module: MODULE,
    policy: resolvePolicy(policy),
    tasks: deps.map((d, i) => ({
      args: [String(i)],
      env: {},
      files: {},
      ...(d === undefined ? {} : { dependsOn: [...d] }),
    })),
  };
}

function printed(replicaId: number, text: string, files: Record<string, OutputRef> = {}) {
  return { ...ok(replicaId, `d-${text}`), stdout: inline(text), files } as VerifiedReport;
}

function failed(replicaId: number): VerifiedReport {
  return {
    ...ok(replicaId),
    success: false,
    digest: null,
    exitCode: 1,
    error: { code: 'exit_code', message: 'map broke' },
  };
}

/**
 * `open(again?)` opens a new store, or again the one whose place (a file, a schema URL) it
 * returned before, as a restart would.
 */
export function describeGraph(
  name: string,
  open: (again?: string) => Promise<{ store: Store; path: string }>,
): void {
  describe(`${name} store, task graphs`, () => {
    async function setup(again?: string) {
      const { store, path } = await open(again);
      const queue = new ReadyQueue();
      const feed = (changes: ChangeSet) => queue.push(changes.ready);
      const owner = (await store.createToken('requester', 'req', 'r', undefined, 0)) as Principal;
      const prov = await store.createToken('provider', 'prov', 'p', undefined, 0);
      const h = await store.registerHost(prov.accountId, { ...host, slots: 8 }, 0);
      const take = (now: number) => store.assignReplicas(h, queue.take(h, 100), now);
      return { store, path, owner, h, feed, take, queue };
    }

    it('sends a child only once all its parents are valid, with their outputs as input files', async () => {
      const { store, owner, h, feed, take } = await setup();
      const created = await store.createJob(
        owner.accountId,
        graphJob([undefined, undefined, [0, 1]]),
        0,
      );
      feed(created.changes);
      // The reduce waits: only the two maps are ready.
      expect(created.changes.ready.map((r) => r.taskId)).toHaveLength(2);
      const maps = await take(1);
      expect(maps.map((a) => a.args)).toEqual([['0'], ['1']]);
      const first = await store.applyReports(h, [printed(maps[0]!.replicaId, 'a 1\n')], 2);
      feed(first.changes);
      expect(first.changes.ready).toEqual([]);
      expect(await take(3)).toEqual([]);
      const out = inline('part');
      const second = await store.applyReports(
        h,
        [printed(maps[1]!.replicaId, 'b 2\n', { 'counts.txt': out })],
        4,
      );
      feed(second.changes);
      // Released in the transaction that validated its last parent.
      expect(second.changes.ready).toHaveLength(1);
      const [reduce] = await take(5);
      const parsed = Assignment.parse(reduce);
      expect(parsed.args).toEqual(['2']);
      expect(Object.keys(parsed.files).sort()).toEqual(
        [parentStdoutPath(0), parentFilePath(1, 'counts.txt'), parentStdoutPath(1)].sort(),
      );
      expect(parsed.files[parentStdoutPath(0)]).toEqual({
        hash: inline('a 1\n').hash,
        size: 4,
      });
      // Inline bytes are kept for agents to fetch by hash.
      const bytes = await store.graphInput(inline('b 2\n').hash);
      expect(Buffer.from(bytes ?? []).toString()).toBe('b 2\n');
      expect(await store.graphInput('f'.repeat(64))).toBeNull();
      const last = await store.applyReports(h, [printed(reduce!.replicaId, 'a 1\nb 2\n')], 6);
      feed(last.changes);
      const view = await store.getJob(created.job.id, owner);
      expect(view).toMatchObject({ state: 'completed', progress: { valid: 3, pending: 0 } });
      await store.close();
    });

    it('fails every descendant of a failed parent, each naming its parent, and completes the job', async () => {
      const { store, owner, h, feed, take } = await setup();
      // 0 → 1 → 2, and 3 independent; maxErrors 0: one error fails a task.
      const created = await store.createJob(
        owner.accountId,
        graphJob([undefined, [0], [1], undefined], { maxErrors: 0 }),
        0,
      );
      feed(created.changes);
      const sent = await take(1);
      expect(sent.map((a) => a.args[0])).toEqual(['0', '3']);
      const res = await store.applyReports(
        h,
        [failed(sent[0]!.replicaId), ok(sent[1]!.replicaId)],
        2,
      );
      feed(res.changes);
      expect(res.changes.ready).toEqual([]);
      const results = await store.listResults(created.job.id, 0, 10);
      const byIndex = new Map(results.map((r) => [r.index, r]));
      expect(byIndex.get(0)?.outcome).toBe('failed');
      expect(byIndex.get(1)).toMatchObject({
        outcome: 'failed',
        errors: [{ code: 'parent_failed', message: expect.stringContaining('Task 0') }],
      });
      expect(byIndex.get(2)?.errors[0]).toMatchObject({
        code: 'parent_failed',
        message: expect.stringContaining('Task 1'),
      });
      // The encoded stream says the same.
      const encoded = await store.listEncodedResults(created.job.id, 0, 10);
      expect(encoded.map((e) => JSON.parse(e.json))).toEqual(results);
      expect(await store.getJob(created.job.id, owner)).toMatchObject({
        state: 'completed',
        progress: { valid: 1, failed: 3, pending: 0 },
      });
      await store.close();
    });

    it('links a later part to tasks sent before, valid or failed, and refuses an unknown one', async () => {
      const { store, owner, h, feed, take } = await setup();
      const whole = graphJob([undefined, undefined, [0], [1], [2, 0]], { maxErrors: 0 });
      const created = await store.createJob(
        owner.accountId,
        { ...whole, tasks: whole.tasks.slice(0, 2), tasksTotal: 5, partsUntil: 1000 },
        0,
      );
      feed(created.changes);
      const maps = await take(1);
      feed(
        (
          await store.applyReports(
            h,
            [printed(maps[0]!.replicaId, 'x'), failed(maps[1]!.replicaId)],
            2,
          )
        ).changes,
      );
      // A parent the job does not have (index 9) is refused, and nothing is written.
      const bad = graphJob([undefined, undefined, [9]]).tasks.slice(2);
      await expect(store.addTasks(created.job.id, 2, bad, 3, 1000)).rejects.toBeInstanceOf(
        TaskDependencyUnknownError,
      );
      const part = await store.addTasks(created.job.id, 2, whole.tasks.slice(2), 3, 1000);
      feed(part.changes);
      expect(part.added).toBe(3);
      // Task 2's parent is valid already: released at once. Task 3's failed: it fails.
      // Task 4 waits for 2.
      const [two] = await take(4);
      expect(two?.args).toEqual(['2']);
      expect(await take(4)).toEqual([]);
      const done = await store.applyReports(h, [printed(two!.replicaId, 'y')], 5);
      feed(done.changes);
      const [four] = await take(6);
      expect(Object.keys(Assignment.parse(four).files).sort()).toEqual(
        [parentStdoutPath(0), parentStdoutPath(2)].sort(),
      );
      feed((await store.applyReports(h, [printed(four!.replicaId, 'z')], 7)).changes);
      const results = await store.listResults(created.job.id, 0, 10);
      expect(results.map((r) => [r.index, r.outcome])).toEqual([
        [0, 'valid'],
        [1, 'failed'],
        [3, 'failed'],
        [2, 'valid'],
        [4, 'valid'],
      ]);
      expect(await store.getJob(created.job.id, owner)).toMatchObject({ state: 'completed' });
      await store.close();
    });

    it('fails the child of a parent without consensus, and of one whose output name is too long', async () => {
      const { store, owner, h, feed, take } = await setup();
      const prov = await store.createToken('provider', 'prov2', 'p2', undefined, 0);
      const h2 = await store.registerHost(prov.accountId, { ...host, name: 'h2' }, 0);
      // Task 0: two replicas that disagree, and no room for a third. Task 2: its output
      // file's name cannot become task 3's input name.
      const created = await store.createJob(
        owner.accountId,
        graphJob([undefined, [0], undefined, [2]], { redundancy: 2, maxTotal: 2 }),
        0,
      );
      feed(created.changes);
      const first = await take(1);
      const second = await store.assignReplicas(
        h2,
        created.changes.ready.filter((r) => !first.some((a) => a.replicaId === r.replicaId)),
        1000,
      );
      const long = { ['n'.repeat(250)]: inline('x') };
      for (const [hostId, sent, text] of [
        [h, first, 'one'],
        [h2, second, 'two'],
      ] as const) {
        const reports = sent.map((a) =>
          a.args[0] === '0' ? printed(a.replicaId, text) : printed(a.replicaId, 'same', long),
        );
        feed((await store.applyReports(hostId, reports, 2000)).changes);
      }
      const results = await store.listResults(created.job.id, 0, 10);
      const byIndex = new Map(results.map((r) => [r.index, r]));
      expect(byIndex.get(0)?.outcome).toBe('no_consensus');
      expect(byIndex.get(1)?.errors).toEqual([
        {
          code: 'parent_failed',
          message: expect.stringContaining(
            'Task 0, which this task depends on, reached no consensus',
          ),
        },
      ]);
      expect(byIndex.get(2)?.outcome).toBe('valid');
      expect(byIndex.get(3)?.errors[0]).toMatchObject({
        code: 'parent_failed',
        message: expect.stringContaining('too long a name'),
      });
      expect(await store.getJob(created.job.id, owner)).toMatchObject({
        state: 'completed',
        progress: { valid: 1, failed: 2, noConsensus: 1 },
      });
      await store.close();
    });

    it('cancels waiting children with their job', async () => {
      const { store, owner, feed } = await setup();
      const created = await store.createJob(owner.accountId, graphJob([undefined, [0], [1]]), 0);
      feed(created.changes);
      await store.cancelJob(created.job.id, 1);
      const results = await store.listResults(created.job.id, 0, 10);
      expect(results.map((r) => r.outcome)).toEqual(['cancelled', 'cancelled', 'cancelled']);
      expect(await store.getJob(created.job.id, owner)).toMatchObject({
        state: 'cancelled',
        progress: { cancelled: 3, pending: 0 },
      });
      await store.close();
    });

    it('keeps a released child across a restart: its replica is ready, its inputs stored', async () => {
      const first = await setup();
      const created = await first.store.createJob(
        first.owner.accountId,
        graphJob([undefined, [0]], { redundancy: 2, quorum: 1 }),
        0,
      );
      first.feed(created.changes);
      const [map] = await first.take(1);
      await first.store.applyReports(first.h, [printed(map!.replicaId, 'kept')], 2);
      await first.store.close();
      const { store: again } = await open(first.path);
      const ready = await again.readyReplicas();
      // The map's second replica was dropped when it settled; the child's two are ready.
      expect(ready.map((r) => r.taskId)).toEqual([2, 2]);
      expect(Buffer.from((await again.graphInput(inline('kept').hash)) ?? []).toString()).toBe(
        'kept',
      );
      await again.close();
    });
  });
}
