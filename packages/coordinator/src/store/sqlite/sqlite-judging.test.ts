import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ReadyQueue, type ReadyReplica } from '../../policy/index.js';
import { host, job, ok } from '../store.case.js';
import { SqliteStore } from './sqlite-store.js';

async function setup(random: () => number = Math.random) {
  const path = join(mkdtempSync(join(tmpdir(), 'anygrid-judging-')), 'test.db');
  const store = new SqliteStore(path, { random });
  await store.migrate();
  const queue = new ReadyQueue();
  const owner = await store.createToken('requester', 'req', 'r', undefined, 0);
  const provider = async (name: string) => {
    const account = await store.createToken('provider', name, `p-${name}`, undefined, 0);
    return store.registerHost(account.accountId, { ...host, name }, 0);
  };
  let clock = 10;
  const run = async (hostId: number, digest: string, taskId?: number) => {
    clock += 1000;
    const picks = queue.take(hostId, 50);
    const pick = picks.find((p) => taskId === undefined || p.taskId === taskId);
    queue.push(picks.filter((p) => p !== pick));
    if (!pick) throw new Error(`no replica of task ${taskId} for host ${hostId}`);
    const placement = { deferred: [] as ReadyReplica[], quarantined: false };
    const [a] = await store.assignReplicas(hostId, [pick], clock, placement);
    queue.push(placement.deferred);
    if (!a) throw new Error(`replica ${pick.replicaId} refused to host ${hostId}`);
    clock += 1000;
    const r = await store.applyReports(hostId, [ok(a.replicaId, digest)], clock);
    queue.push(r.changes.ready as ReadyReplica[]);
    return a;
  };
  const db = new Database(path, { readonly: true });
  const record = (hostId: number) =>
    db
      .prepare('SELECT valid, invalid, strikes FROM validation_records WHERE host_id = ?')
      .get(hostId);
  return { store, queue, owner, provider, run, record, db };
}

describe('judging on SQLite', () => {
  it('exonerates a host outvoted by a colluding pair once the pair is caught', async () => {
    const t = await setup();
    const [x, y, h, b, c] = await Promise.all(['x', 'y', 'h', 'b', 'c'].map(t.provider));
    const created = await t.store.createJob(
      t.owner.accountId,
      job(2, { redundancy: 2, maxTotal: 8 }),
      0,
    );
    t.queue.push(created.changes.ready);
    const [t1, t2] = [...new Set(created.changes.ready.map((r) => r.taskId))];
    // Task 1: x and the honest h disagree; y breaks the tie with x's wrong output.
    await t.run(x as number, 'bad', t1);
    await t.run(h as number, 'good', t1);
    await t.run(y as number, 'bad', t1);
    expect(t.record(h as number)).toEqual({ valid: 0, invalid: 1, strikes: 1 });
    // Task 2: x is caught by two honest hosts; its task 1 is verified again without it.
    await t.run(x as number, 'bad', t2);
    await t.run(b as number, 'good', t2);
    await t.run(c as number, 'good', t2);
    // y and h are left 1 to 1 on task 1: one more honest host settles it.
    await t.run(b as number, 'good', t1);
    const results = await t.store.listResults(created.job.id, 0, 10);
    expect(results.find((r) => r.taskId === t1)).toMatchObject({ corrected: true });
    // h's strike is withdrawn; y, who agreed with the wrong result, is caught.
    expect(t.record(h as number)).toMatchObject({ invalid: 0, strikes: 0 });
    expect(t.record(y as number)).toMatchObject({ invalid: 1, strikes: 1 });
    t.db.close();
    await t.store.close();
  });

  it('adaptive: spot-checks a trusted host with a task a trusted quorum settled', async () => {
    // Every chance drawn is 0: every task is checked, every trusted pull spot-checked.
    const t = await setup(() => 0);
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map(t.provider));
    // One partner account is enough here: a pool of three accounts.
    const validation = { mode: 'adaptive' as const, warmup: 1, trustedWaitMs: 0, partners: 1 };
    const created = await t.store.createJob(t.owner.accountId, job(4, { validation }), 0);
    t.queue.push(created.changes.ready);
    const tasks = [...new Set(created.changes.ready.map((r) => r.taskId))];
    // a and b check each other twice: trusted, and task 2 settled by a trusted quorum.
    await t.run(a as number, 'good', tasks[0]);
    await t.run(b as number, 'good', tasks[0]);
    await t.run(b as number, 'good', tasks[1]);
    await t.run(a as number, 'good', tasks[1]);
    // c earns trust by agreeing with a on task 3.
    await t.run(c as number, 'good', tasks[2]);
    await t.run(a as number, 'good', tasks[2]);
    // c's next pull is a spot check in place of the task it asked for: task 2, answered wrong.
    const spot = await t.run(c as number, 'bad');
    expect(spot.taskId).toBe(tasks[1]);
    expect(t.record(c as number)).toMatchObject({ invalid: 1, strikes: 1 });
    const kind = t.db.prepare(`SELECT spot FROM replicas WHERE id = ?`).pluck().get(spot.replicaId);
    expect(kind).toBe(1);
    // Task 2's result stands.
    const results = await t.store.listResults(created.job.id, 0, 10);
    expect(results.find((r) => r.taskId === tasks[1])?.corrected).toBeUndefined();
    t.db.close();
    await t.store.close();
  });

  it('ignores results a quarantined host reports for work it still held', async () => {
    const t = await setup();
    const [cheat, b, c] = await Promise.all(['cheat', 'b', 'c'].map(t.provider));
    const created = await t.store.createJob(t.owner.accountId, job(4, { redundancy: 2 }), 0);
    t.queue.push(created.changes.ready);
    const tasks = [...new Set(created.changes.ready.map((r) => r.taskId))];
    // The cheat takes task 4 first and keeps it while it is caught three times.
    const picks = t.queue.take(cheat as number, 50);
    const held = picks.find((p) => p.taskId === tasks[3]);
    t.queue.push(picks.filter((p) => p !== held));
    const [kept] = await t.store.assignReplicas(cheat as number, [held as ReadyReplica], 5);
    for (const task of tasks.slice(0, 3)) {
      await t.run(cheat as number, 'bad', task);
      await t.run(b as number, 'good', task);
      await t.run(c as number, 'good', task);
    }
    expect(
      t.db.prepare('SELECT quarantined_at FROM hosts WHERE id = ?').pluck().get(cheat),
    ).not.toBeNull();
    // Its late report is taken but does not count: task 4 waits for honest hosts.
    await t.store.applyReports(cheat as number, [ok(kept!.replicaId, 'bad')], 100_000);
    await t.run(b as number, 'bad', tasks[3]);
    expect((await t.store.listResults(created.job.id, 0, 10)).map((r) => r.taskId)).not.toContain(
      tasks[3],
    );
    t.db.close();
    await t.store.close();
  });
});
