import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../migrations.js';
import { describeRetention } from '../retention.case.js';
import { host, job, ok } from '../store.case.js';
import { SqliteStore } from './sqlite-store.js';

function tempPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'anygrid-purge-')), 'test.db');
}

describeRetention('sqlite', async (again) => {
  const path = again ?? tempPath();
  const store = new SqliteStore(path);
  await store.migrate();
  return { store, path };
});

/** A finished job of `tasks` tasks, each with a 2 KB argument so the file grows. */
async function bigFinishedJob(store: SqliteStore, tasks: number) {
  const owner = await store.createToken('requester', 'req', 'r', undefined, 0);
  const prov = await store.createToken('provider', 'prov', 'p', undefined, 0);
  const hostId = await store.registerHost(prov.accountId, { ...host, slots: 100_000 }, 0);
  const base = job(tasks);
  const { job: created, changes } = await store.createJob(
    owner.accountId,
    { ...base, tasks: base.tasks.map((t, i) => ({ ...t, args: [String(i), 'x'.repeat(2000)] })) },
    0,
  );
  const sent = await store.assignReplicas(hostId, changes.ready, 1);
  await store.applyReports(
    hostId,
    sent.map((a) => ok(a.replicaId)),
    2,
  );
  return created.id;
}

describe('sqlite purge', () => {
  it('deletes every row of the job, then gives the freed pages back to the file system', async () => {
    const path = tempPath();
    const store = new SqliteStore(path, { dailyQuota: { initial: 10_000, max: 10_000, min: 1 } });
    await store.migrate();
    const jobId = await bigFinishedJob(store, 3000);
    const db = new Database(path, { readonly: true });
    const count = (table: string) =>
      db.prepare(`SELECT COUNT(*) FROM ${table} WHERE job_id = ?`).pluck().get(jobId) as number;
    expect(count('tasks')).toBe(3000);
    expect(count('replicas')).toBe(3000);
    expect(count('events')).toBeGreaterThan(0);
    expect(count('blob_refs')).toBe(1);
    // What a compared job's settlements list for re-checks dies with the job too.
    const writer = new Database(path);
    writer
      .prepare(
        'INSERT INTO unconfirmed_results (host_id, job_id, accepted_at, replica_ids) VALUES (1, ?, 2, ?)',
      )
      .run(jobId, '1,2,3');
    writer.close();
    expect(count('unconfirmed_results')).toBe(1);
    const pagesBefore = db.pragma('page_count', { simple: true }) as number;

    await expect(store.purgeStep(jobId, 500, 9)).rejects.toThrow(/purge not begun/);
    expect(await store.beginPurge(jobId, 10)).toBe(true);
    while (!(await store.purgeStep(jobId, 500, 11)).done);
    for (const table of [
      'tasks',
      'replicas',
      'events',
      'blob_refs',
      'comparisons',
      'unconfirmed_results',
    ]) {
      expect(count(table)).toBe(0);
    }
    const tombstone = db.prepare('SELECT purge_started_at, purged_at FROM jobs WHERE id = ?');
    expect(tombstone.get(jobId)).toEqual({ purge_started_at: 10, purged_at: 11 });
    expect(db.pragma('auto_vacuum', { simple: true })).toBe(2);
    expect(db.pragma('freelist_count', { simple: true }) as number).toBeGreaterThan(1000);

    let freed = 0;
    for (;;) {
      const r = await store.reclaimSpace(256);
      freed += r.freed;
      if (r.free === 0) break;
    }
    expect(freed).toBeGreaterThan(1000);
    expect(db.pragma('freelist_count', { simple: true })).toBe(0);
    expect(db.pragma('page_count', { simple: true }) as number).toBeLessThan(pagesBefore - 1000);
    db.close();
    await store.close();
    // Once checkpointed, the file itself is smaller (a restart checkpoints the WAL).
    expect(statSync(path).size).toBeLessThan((pagesBefore - 1000) * 4096);
  });

  it('converts a database made before retention to incremental vacuum once', async () => {
    const path = tempPath();
    const old = new Database(path);
    old.exec('CREATE TABLE legacy (x)');
    expect(old.pragma('auto_vacuum', { simple: true })).toBe(0);
    old.close();
    const store = new SqliteStore(path);
    await store.migrate();
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('auto_vacuum', { simple: true })).toBe(2);
    db.close();
  });

  it('fills blob_refs for jobs stored before migration 17 as live writes would', async () => {
    const path = tempPath();
    const store = new SqliteStore(path);
    await store.migrate();
    const owner = await store.createToken('requester', 'req', 'r', undefined, 0);
    const prov = await store.createToken('provider', 'prov', 'p', undefined, 0);
    const hostId = await store.registerHost(prov.accountId, { ...host, slots: 10 }, 0);
    const base = job(3);
    const { changes } = await store.createJob(
      owner.accountId,
      {
        ...base,
        tasks: base.tasks.map((t, i) => ({
          ...t,
          stdin: { hash: String(i).repeat(64), size: 1 },
          files: { 'a.txt': { hash: 'f'.repeat(64), size: 1 } },
        })),
      },
      0,
    );
    const sent = await store.assignReplicas(hostId, changes.ready, 1);
    await store.applyReports(
      hostId,
      sent.map((a, i) => ({
        ...ok(a.replicaId),
        stdout: { hash: 'e'.repeat(64), size: 9 },
        stderr: { hash: 'd'.repeat(64), size: 0, data: '' },
        files: { 'out.bin': { hash: String(i).repeat(63).concat('e'), size: 2 } },
      })),
      2,
    );
    await store.close();
    const db = new Database(path);
    const refs = () =>
      db.prepare('SELECT hash, job_id FROM blob_refs ORDER BY hash, job_id').all() as unknown[];
    const live = refs();
    expect(live).toHaveLength(1 + 3 + 1 + 1 + 3);
    db.exec('DELETE FROM blob_refs');
    const retention = MIGRATIONS.find((m) => m.version === 17);
    for (const sql of retention?.statements ?? []) if (sql.startsWith('INSERT')) db.exec(sql);
    expect(refs()).toEqual(live);
    db.close();
  });
});
