import { join } from 'node:path';
import { MAX_TASKS_PER_JOB } from '@anygrid/protocol';
import { Anygrid } from '@anygrid/sdk';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { client, example, startAgent, useRestartableCoordinator, waitFor } from './harness.js';
import { allResults, decodeStdout, waitForJob } from './job-flow.js';

/** Trivial tasks, each printing its own index: enough to be written in several parts. */
function trivialTasks(count: number) {
  return Array.from({ length: count }, (_, i) => ({ args: [String(i)] }));
}

/** Tasks stored for the job so far, read straight from the store's file. */
function storedTasks(dataDir: string): { jobs: number; tasks: number; total: number } {
  const db = new Database(join(dataDir, 'anygrid.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare(
        `SELECT COUNT(*) AS jobs, COALESCE(SUM(tasks_total), 0) AS total,
           (SELECT COUNT(*) FROM tasks) AS tasks FROM jobs`,
      )
      .get() as { jobs: number; tasks: number; total: number };
    return row;
  } finally {
    db.close();
  }
}

describe('a job too large for one transaction', () => {
  const ctx = useRestartableCoordinator();

  it('is cancelled at restart when the coordinator dies while writing it, and a resubmission completes', async () => {
    const { coord, dataDir } = ctx;
    const admin = client(coord.url, coord.adminToken);
    const requester = client(coord.url, await admin.token('requester'));
    const module = await requester.upload(example('trivial.wasm'));
    const tasks = trivialTasks(200_000);

    // Kill the coordinator once the first parts are stored and before the last one is.
    const submit = requester.post('/v1/jobs', { name: 'big', module, tasks });
    await waitFor(
      'the first part of the job in the store',
      async () => storedTasks(dataDir).tasks > 0,
      30_000,
      5,
    );
    const killed = ctx.restart();
    const answer = await submit.catch((error: unknown) => ({ status: 0, error }));
    expect(answer.status).not.toBe(201);
    const cut = storedTasks(dataDir);
    expect(cut.total).toBe(200_000);
    expect(cut.tasks).toBeLessThan(200_000);

    const restarted = await killed;
    const after = client(restarted.url, restarted.adminToken);
    const jobs = (await after.get('/v1/jobs')).body.jobs as { id: number; state: string }[];
    expect(jobs.map((j) => j.state)).toEqual(['cancelled']);

    // Resubmitted (as the client would, having had no answer), the job runs to the end:
    // 25 000 tasks go in as four parts, and every index comes back exactly once.
    const provider = await after.token('provider');
    startAgent(restarted.url, provider, { slots: 2, name: 'a' });
    const again = client(restarted.url, await after.token('requester'));
    const r = await again.post('/v1/jobs', { name: 'big', module, tasks: trivialTasks(25_000) });
    expect(r.status).toBe(201);
    expect(r.body.progress.total).toBe(25_000);
    const done = await waitForJob(again, r.body.id, 120_000);
    expect(done).toMatchObject({ state: 'completed', progress: { valid: 25_000 } });
    const results = await allResults(again, r.body.id);
    expect(results).toHaveLength(25_000);
    const seen = new Set<number>();
    for (const result of results) {
      expect(decodeStdout(result)).toBe(`${result.index}\n`);
      seen.add(result.index);
    }
    expect(seen.size).toBe(25_000);
  }, 180_000);

  it('goes in parts from the SDK when it is larger than one request allows', async () => {
    const { coord } = ctx;
    const admin = client(coord.url, coord.adminToken);
    const grid = new Anygrid({ url: coord.url, token: await admin.token('requester') });
    const count = MAX_TASKS_PER_JOB + 5;
    const job = await grid.submit({
      module: example('trivial.wasm'),
      tasks: Array.from({ length: count }, (_, i) => ({ args: [String(i)] })),
    });
    const view = await job.view();
    expect(view.progress.total).toBe(count);
    const db = new Database(join(coord.dataDir, 'anygrid.db'), { readonly: true });
    const row = db
      .prepare('SELECT COUNT(*) AS n, MAX(idx) AS last FROM tasks WHERE job_id = ?')
      .get(job.id) as { n: number; last: number };
    db.close();
    expect(row).toEqual({ n: count, last: count - 1 });
    expect((await job.cancel()).state).toBe('cancelled');
  }, 120_000);
});
