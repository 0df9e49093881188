/**
 * The janitor on a real coordinator with a retention of seconds: a finished job is
 * archived, then its rows and the blobs only it used are deleted, a blob another job
 * still uses stays, the job answers JOB_PURGED (HTTP, SDK and CLI), and the database
 * gives the freed pages back.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FREE_PAGE_SLACK } from '@anygrid/coordinator/policy';
import { Anygrid, JobPurgedError } from '@anygrid/sdk';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  client,
  example,
  killAll,
  removeDir,
  runCli,
  startAgent,
  startCoordinator,
  stopProcess,
  tempDir,
  waitFor,
} from './harness.js';
import { decodeStdout, waitForJob } from './job-flow.js';

const TASKS = 600;
const dirs: string[] = [];

afterAll(async () => {
  await killAll();
  for (const d of dirs) removeDir(d);
});

describe('janitor', () => {
  it('purges a finished job after the retention and keeps what a live job uses', async () => {
    const archiveDir = tempDir('anygrid-archive-');
    dirs.push(archiveDir);
    const coord = await startCoordinator({
      extraArgs: [
        '--retention',
        '2s',
        '--janitor-interval',
        '300ms',
        '--blob-grace',
        '1s',
        '--archive-dir',
        archiveDir,
      ],
    });
    dirs.push(coord.dataDir);
    const admin = client(coord.url, coord.adminToken);
    const requesterToken = await admin.token('requester');
    const requester = client(coord.url, requesterToken);
    const module = await requester.upload(example('echo.wasm'));
    const shared = await requester.upload(Buffer.from('shared input\n'));
    const own = await requester.upload(Buffer.from('input of job A only\n'));
    const stray = await requester.upload(Buffer.from('uploaded, never used\n'));

    // Job A: each task copies the shared stdin and carries a 1 KB argument, so its rows
    // fill a few hundred pages.
    const padding = 'x'.repeat(1000);
    const a = await requester.post('/v1/jobs', {
      name: 'purged',
      module,
      tasks: Array.from({ length: TASKS }, (_, i) => ({
        args: [String(i), padding],
        stdin: shared,
        files: { 'input.txt': own },
      })),
    });
    expect(a.status).toBe(201);
    const jobA = a.body.id as number;
    const agent = startAgent(coord.url, await admin.token('provider'), { slots: 2 });
    expect((await waitForJob(requester, jobA, 90_000)).state).toBe('completed');
    await stopProcess(agent.proc);

    // Job B uses the module and the shared input, and stays running (no agent is left).
    const b = await requester.post('/v1/jobs', {
      name: 'kept',
      module,
      tasks: [{ args: ['b'], stdin: shared }],
    });
    expect(b.status).toBe(201);

    const db = new Database(join(coord.dataDir, 'anygrid.db'), { readonly: true });
    const pages = () => db.pragma('page_count', { simple: true }) as number;
    const pagesWithA = pages();
    const rowsOfA = (table: string) =>
      db.prepare(`SELECT COUNT(*) FROM ${table} WHERE job_id = ?`).pluck().get(jobA) as number;

    const gone = await waitFor(
      'job A to be purged',
      async () => {
        const r = await requester.get(`/v1/jobs/${jobA}`);
        return r.status === 410 ? r : undefined;
      },
      30_000,
    );
    expect(gone.body.error.code).toBe('JOB_PURGED');
    expect(gone.body.error.message).toMatch(/retention/);
    expect(gone.body.error.details).toMatchObject({ jobId: jobA });
    const results = await requester.get(`/v1/jobs/${jobA}/results`);
    expect(results.status).toBe(410);
    expect(results.body.error.code).toBe('JOB_PURGED');
    const list = await requester.get('/v1/jobs');
    expect(list.body.jobs.map((j: { id: number }) => j.id)).toEqual([b.body.id]);

    await waitFor('job A rows to be deleted', async () => rowsOfA('tasks') === 0, 10_000);
    await waitFor(
      'the tombstone',
      async () => db.prepare('SELECT purged_at FROM jobs WHERE id = ?').pluck().get(jobA) != null,
      10_000,
    );
    for (const table of ['tasks', 'replicas', 'events', 'blob_refs', 'comparisons']) {
      expect(rowsOfA(table)).toBe(0);
    }

    // Blobs only job A used, and one nobody used, are deleted; what job B uses stays.
    const head = async (hash: string) =>
      (await requester.request('HEAD', `/v1/blobs/${hash}`)).status;
    await waitFor('unused blobs to be deleted', async () => (await head(own.hash)) === 404, 10_000);
    expect(await head(stray.hash)).toBe(404);
    expect(await head(shared.hash)).toBe(200);
    expect(await head(module.hash)).toBe(200);
    const blobFile = (hash: string) => join(coord.dataDir, 'blobs', hash.slice(0, 2), hash);
    expect(() => readFileSync(blobFile(own.hash))).toThrow(/ENOENT/);
    expect(readFileSync(blobFile(shared.hash)).toString()).toBe('shared input\n');

    // The freed pages went back to the file system, but for a slack new tasks will reuse.
    await waitFor('free pages to be reclaimed', async () => pages() < pagesWithA - 200, 10_000);
    const free = db.pragma('freelist_count', { simple: true }) as number;
    expect(free).toBeLessThanOrEqual(
      Math.max(FREE_PAGE_SLACK.pages, pages() * FREE_PAGE_SLACK.share),
    );

    // The archive holds the job and every result, written before the purge.
    const lines = readFileSync(join(archiveDir, `job-${jobA}.jsonl`), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(1 + TASKS);
    expect(JSON.parse(lines[0] as string).job).toMatchObject({ id: jobA, state: 'completed' });
    const archived = lines.slice(1).map((l) => JSON.parse(l).result);
    expect(new Set(archived.map((r) => r.index)).size).toBe(TASKS);
    expect(archived.every((r) => decodeStdout(r) === 'shared input\n')).toBe(true);

    // The SDK rebuilds the error as its class; the CLI prints the code and a next step.
    const grid = new Anygrid({ url: coord.url, token: requesterToken });
    await expect(grid.job(jobA).view()).rejects.toBeInstanceOf(JobPurgedError);
    const cli = await runCli(['status', String(jobA), '--json'], {
      env: { ANYGRID_URL: coord.url, ANYGRID_TOKEN: requesterToken },
    });
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout).error.code).toBe('JOB_PURGED');
    expect(cli.stderr).toMatch(/next: .*--retention/);

    expect((await requester.get(`/v1/jobs/${b.body.id}`)).body.state).toBe('running');
    db.close();
  }, 120_000);
});
