import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPREAD_MS } from '../policy/index.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { host, job, ok } from '../store/store.case.js';
import type { Store } from '../store/store.js';
import { Hub } from './hub.js';
import { Scheduler } from './scheduler.js';

/** A real SQLite store whose assignment calls are counted. */
async function countedStore() {
  const raw = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'anygrid-sched-')), 'test.db'));
  await raw.migrate();
  const calls = { assign: 0 };
  const store: Store = Object.assign(Object.create(raw) as Store, {
    assignReplicas: (...a: Parameters<Store['assignReplicas']>) => {
      calls.assign++;
      return raw.assignReplicas(...a);
    },
  });
  return { store, calls };
}

describe('Scheduler', () => {
  it('says `more` when a known bound held a host back while work waits; not for a new job’s small bound, nor once the queue ran dry', async () => {
    const { store } = await countedStore();
    const scheduler = new Scheduler(store, new Hub());
    const owner = await store.createToken('requester', 'req', 'r', undefined, 0);
    const p = await store.createToken('provider', 'p', 'p', undefined, 0);
    const h = await store.registerHost(p.accountId, { ...host, name: 'h' }, 0);
    scheduler.publish((await store.createJob(owner.accountId, job(40), Date.now())).changes);
    // Before any replica of the job was reported, a host may hold 4 per slot: that bound
    // counts everything the host holds, so it is not told to refill.
    const first = await scheduler.assign(h, 40, p.accountId, 2);
    expect(first.assignments).toHaveLength(4 * host.slots);
    expect(first.more).toBe(false);
    // Reported at 500 ms each: a 2-second buffer holds 4 per slot, now a known bound.
    const reported = first.assignments.map((a) => ({ ...ok(a.replicaId), durationMs: 500 }));
    scheduler.publish((await store.applyReports(h, reported.slice(0, 1), Date.now())).changes);
    const second = await scheduler.assign(h, 40, p.accountId, 2);
    expect(second.assignments).toHaveLength(1);
    expect(second.more).toBe(true);
    // Other hosts take the rest; once the queue ran dry, no `more`.
    for (let i = 0; scheduler.queued > 0 && i < 20; i++) {
      const o = await store.registerHost(p.accountId, { ...host, name: `o${i}` }, 0);
      await scheduler.assign(o, 40, p.accountId, 2);
    }
    expect(scheduler.queued).toBe(0);
    expect(await scheduler.assign(h, 40, p.accountId, 2)).toEqual({ assignments: [], more: false });
  });

  it('keeps a refused replica from every host of the account it was refused to, and gives it to another account', async () => {
    const { store, calls } = await countedStore();
    const scheduler = new Scheduler(store, new Hub());
    const owner = await store.createToken('requester', 'req', 'r', undefined, 0);
    const x = await store.createToken('provider', 'x', 'x', undefined, 0);
    const y = await store.createToken('provider', 'y', 'y', undefined, 0);
    const [x1, x2, x3] = [
      await store.registerHost(x.accountId, { ...host, name: 'x1' }, 0),
      await store.registerHost(x.accountId, { ...host, name: 'x2' }, 0),
      await store.registerHost(x.accountId, { ...host, name: 'x3' }, 0),
    ];
    const y1 = await store.registerHost(y.accountId, { ...host, name: 'y1' }, 0);
    // Idle pulls: the scheduler learns which hosts are x's.
    for (const h of [x1, x2, x3])
      expect((await scheduler.assign(h, 5, x.accountId)).assignments).toEqual([]);

    const { changes } = await store.createJob(
      owner.accountId,
      job(1, { redundancy: 2 }),
      Date.now(),
    );
    scheduler.publish(changes);
    expect((await scheduler.assign(x1, 5, x.accountId)).assignments).toHaveLength(1);
    expect((await scheduler.assign(x2, 5, x.accountId)).assignments).toEqual([]);
    const before = calls.assign;
    expect((await scheduler.assign(x3, 5, x.accountId)).assignments).toEqual([]);
    // x3 was not even offered the replica the store refused to x2.
    expect(calls.assign).toBe(before);
    expect(scheduler.queued).toBe(1);
    // Past the spread rule (SPREAD_MS), which holds a new host back from a replica whose
    // sibling was just sent.
    await new Promise((r) => setTimeout(r, SPREAD_MS + 10));
    expect((await scheduler.assign(y1, 5, y.accountId)).assignments).toHaveLength(1);
    expect(scheduler.queued).toBe(0);
    await store.close();
  });
});
