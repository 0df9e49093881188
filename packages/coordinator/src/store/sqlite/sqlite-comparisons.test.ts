import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { host, job, ok } from '../store.case.js';
import { SqliteStore } from './sqlite-store.js';

const NUMERIC = { kind: 'numeric' as const, source: 'stdout' as const, format: 'json' as const };

/** A store with a 2-replica numeric job of `tasks` tasks, each replica sent to one of two hosts of two accounts. */
async function setUp(path: string, tasks = 1) {
  const store = new SqliteStore(path);
  await store.migrate();
  const owner = await store.createToken('requester', 'req', 'r', undefined, 0);
  const h1 = await store.registerHost(
    (await store.createToken('provider', 'p1', 'a', undefined, 0)).accountId,
    host,
    0,
  );
  const h2 = await store.registerHost(
    (await store.createToken('provider', 'p2', 'b', undefined, 0)).accountId,
    { ...host, name: 'h2' },
    0,
  );
  const { job: created, changes } = await store.createJob(
    owner.accountId,
    job(tasks, { redundancy: 2, maxTotal: 2, compare: NUMERIC }),
    0,
  );
  const first = await store.assignReplicas(h1, changes.ready, 1);
  // Apart in time: a task's second replica does not go out with its first (placement rules).
  const second = await store.assignReplicas(h2, changes.ready, 1000);
  return { store, jobId: created.id, h1, h2, first, second };
}

function tempPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'anygrid-compare-')), 'test.db');
}

describe('comparisons in the sqlite store', () => {
  it('queues a differing answer, keeps it across a restart, and settles by the verdict', async () => {
    const path = tempPath();
    const { store, jobId, h1, h2, first, second } = await setUp(path);
    const [a] = first;
    const [b] = second;
    await store.applyReports(h1, [ok(a?.replicaId as number, 'da')], 2);
    await store.applyReports(h2, [ok(b?.replicaId as number, 'db')], 3);
    // Pending: neither settled nor given a third replica.
    expect((await store.getJob(jobId, admin))?.progress.pending).toBe(1);
    await store.close();

    const again = new SqliteStore(path);
    await again.migrate();
    const [p, ...rest] = await again.pendingComparisons(10);
    expect(rest).toEqual([]);
    expect(p?.candidate.replicaId).toBe(b?.replicaId);
    expect(p?.representatives.map((r) => r.replicaId)).toEqual([a?.replicaId]);
    expect(p?.compare).toMatchObject({ kind: 'numeric', relTol: 1e-9 });

    // A verdict made against other representatives than the task has is dropped.
    await again.applyComparison(
      { replicaId: b?.replicaId as number, against: [], agreesWith: null },
      4,
    );
    expect(await again.pendingComparisons(10)).toHaveLength(1);

    const changes = await again.applyComparison(
      {
        replicaId: b?.replicaId as number,
        against: [a?.replicaId as number],
        agreesWith: a?.replicaId as number,
      },
      5,
    );
    expect(changes.jobs).toContain(jobId);
    expect(await again.pendingComparisons(10)).toEqual([]);
    const [result] = await again.listResults(jobId, 0, 10);
    expect(result?.outcome).toBe('valid');
    // Applying it twice changes nothing.
    expect(
      (
        await again.applyComparison(
          {
            replicaId: b?.replicaId as number,
            against: [a?.replicaId as number],
            agreesWith: null,
          },
          6,
        )
      ).jobs,
    ).toEqual([]);
    await again.close();
  });

  it('needs no comparison for byte-equal answers, and ends the task no_consensus when one fails', async () => {
    const { store, jobId, h1, h2, first, second } = await setUp(tempPath(), 2);
    const [a1, a2] = first;
    const [b1, b2] = second;
    await store.applyReports(
      h1,
      [ok(a1?.replicaId as number, 'x'), ok(a2?.replicaId as number, 'y')],
      2,
    );
    await store.applyReports(
      h2,
      [ok(b1?.replicaId as number, 'x'), ok(b2?.replicaId as number, 'z')],
      3,
    );
    const [p, ...rest] = await store.pendingComparisons(10);
    expect(rest).toEqual([]);
    expect(p?.candidate.replicaId).toBe(b2?.replicaId);
    await store.applyComparison(
      {
        replicaId: b2?.replicaId as number,
        against: [a2?.replicaId as number],
        failed: 'validator looped',
      },
      4,
    );
    const outcomes = (await store.listResults(jobId, 0, 10)).map((r) => [r.index, r.outcome]);
    expect(outcomes.sort()).toEqual([
      [0, 'valid'],
      [1, 'no_consensus'],
    ]);
    expect(await store.pendingComparisons(10)).toEqual([]);
    await store.close();
  });

  it('starts a new group when the verdict finds no agreement, and the task ends without consensus', async () => {
    const { store, jobId, h1, h2, first, second } = await setUp(tempPath());
    await store.applyReports(h1, [ok(first[0]?.replicaId as number, 'p')], 2);
    await store.applyReports(h2, [ok(second[0]?.replicaId as number, 'q')], 3);
    const [p] = await store.pendingComparisons(10);
    await store.applyComparison(
      {
        replicaId: p?.candidate.replicaId as number,
        against: [first[0]?.replicaId as number],
        agreesWith: null,
      },
      4,
    );
    const [result] = await store.listResults(jobId, 0, 10);
    expect(result?.outcome).toBe('no_consensus');
    expect(result?.candidates.map((c) => c.digest).sort()).toEqual(['p', 'q']);
    await store.close();
  });
});

const admin = { accountId: 0, account: 'admin', role: 'admin' as const };
