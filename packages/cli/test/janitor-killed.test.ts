/**
 * A coordinator SIGKILLed in the middle of purging a large job: the store it leaves is
 * consistent (no replica without its task, no task without its replicas, integrity and
 * foreign keys intact), the job already answers JOB_PURGED, and the next start finishes
 * the purge. The finished job is written through the real store beforehand, which is
 * quicker than running its tasks.
 */

import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { type Placement, type ReplicaPick, SqliteStore } from '@anygrid/coordinator';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CLI,
  client,
  killAll,
  removeDir,
  spawnNode,
  startCoordinator,
  stopProcess,
  tempDir,
  waitFor,
} from './harness.js';

const TASKS = 60_000;
const RETENTION_ARGS = ['--retention', '1s', '--janitor-interval', '200ms'];
const dirs: string[] = [];

afterAll(async () => {
  await killAll();
  for (const d of dirs) removeDir(d);
});

/** A job of TASKS tasks, each run once and reported, finished long ago. */
async function finishedJob(dataDir: string): Promise<number> {
  const store = new SqliteStore(join(dataDir, 'anygrid.db'), {
    dailyQuota: { initial: TASKS, max: TASKS, min: 1 },
  });
  await store.migrate();
  const owner = await store.createToken('requester', 'req', 'r-hash', undefined, 0);
  const prov = await store.createToken('provider', 'prov', 'p-hash', undefined, 0);
  const hostId = await store.registerHost(
    prov.accountId,
    {
      name: 'h',
      platform: 'linux-x64',
      cores: 2,
      memoryBytes: 1e9,
      slots: 2,
      runtimes: ['wasm32-wasi'],
    },
    0,
  );
  const { job, changes } = await store.createJob(
    owner.accountId,
    {
      module: { hash: 'a'.repeat(64), size: 10 },
      policy: (await import('@anygrid/coordinator/policy')).resolvePolicy({}),
      tasks: Array.from({ length: TASKS }, (_, i) => ({ args: [String(i)], env: {}, files: {} })),
    },
    1,
  );
  // A host holds a bounded number at once (policy/in-flight-cap.ts): take and answer in rounds.
  const sent: { replicaId: number }[] = [];
  let ready: readonly ReplicaPick[] = changes.ready;
  while (ready.length > 0) {
    const placement: Placement = { deferred: [], quarantined: false };
    const buffer = { bufferSeconds: TASKS, maxBufferSeconds: TASKS };
    const round = await store.assignReplicas(hostId, ready, 2, placement, buffer);
    if (round.length === 0) throw new Error('the host got none of the job');
    await report(round);
    sent.push(...round);
    ready = placement.deferred;
  }
  expect(sent).toHaveLength(TASKS);
  await store.close();
  return job.id;

  async function report(round: readonly { replicaId: number }[]) {
    for (let i = 0; i < round.length; i += 5000) {
      const reports = round.slice(i, i + 5000).map((a) => ({
        replicaId: a.replicaId,
        success: true,
        digest: 'd',
        exitCode: 0,
        stdout: null,
        stderr: null,
        files: {},
        error: null,
        durationMs: 1,
      }));
      await store.applyReports(hostId, reports, 3);
    }
  }
}

describe('janitor killed mid-purge', () => {
  it('leaves a consistent store, and the next start finishes the purge', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    const jobId = await finishedJob(dataDir);
    const db = new Database(join(dataDir, 'anygrid.db'), { readonly: true });
    const firstLeft = db.prepare('SELECT MIN(idx) FROM tasks WHERE job_id = ?').pluck();
    expect(firstLeft.get(jobId)).toBe(0);

    // Kill the coordinator as soon as its janitor has deleted a first batch.
    const coord = spawnNode([CLI, 'serve', '--data', dataDir, '--port', '0', ...RETENTION_ARGS]);
    await waitFor(
      'the purge to begin deleting',
      async () => {
        await turn();
        return ((firstLeft.get(jobId) as number | null) ?? TASKS) > 0;
      },
      30_000,
      0,
    );
    await stopProcess(coord.proc, 'SIGKILL');

    const count = (sql: string) => db.prepare(sql).pluck().get(jobId) as number;
    const left = count('SELECT COUNT(*) FROM tasks WHERE job_id = ?');
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(TASKS);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    // Each step deleted tasks with their replicas, all or nothing.
    expect(count('SELECT COUNT(*) FROM replicas WHERE job_id = ?')).toBe(left);
    expect(
      count(
        `SELECT COUNT(*) FROM tasks t WHERE t.job_id = ?
           AND NOT EXISTS (SELECT 1 FROM replicas r WHERE r.task_id = t.id)`,
      ),
    ).toBe(0);
    expect(count('SELECT purge_started_at IS NOT NULL FROM jobs WHERE id = ?')).toBe(1);
    expect(count('SELECT purged_at FROM jobs WHERE id = ?')).toBeNull();

    // Started again with retention off: a begun purge is finished all the same.
    const again = await startCoordinator({ dataDir, extraArgs: ['--retention', 'off'] });
    const admin = client(again.url, again.adminToken);
    const answer = await admin.get(`/v1/jobs/${jobId}`);
    expect(answer.status).toBe(410);
    expect(answer.body.error.code).toBe('JOB_PURGED');
    await waitFor(
      'the purge to finish',
      async () => count('SELECT purged_at IS NOT NULL FROM jobs WHERE id = ?') === 1,
      30_000,
    );
    expect(count('SELECT COUNT(*) FROM tasks WHERE job_id = ?')).toBe(0);
    expect(count('SELECT COUNT(*) FROM replicas WHERE job_id = ?')).toBe(0);
    expect(count('SELECT COUNT(*) FROM events WHERE job_id = ?')).toBe(0);
    db.close();
    await stopProcess(again.proc);
  }, 120_000);
});
