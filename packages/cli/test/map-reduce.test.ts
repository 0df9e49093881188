/**
 * Task graphs end to end (issue 11, acceptance 4), with a real coordinator, two agents
 * and examples/wordcount.wasm: a map-reduce word count gives the right answer through
 * the example script (SDK) and through `anygrid submit --tasks` (CLI), also when the
 * coordinator is SIGKILLed between the maps and the reduce; a failing map fails the
 * reduce with a reason that names it; cyclic and unknown dependencies are refused with
 * a 422 and their codes, before anything runs.
 */

import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { JobView, TaskResult } from '@anygrid/protocol';
import { Anygrid, type JobResult } from '@anygrid/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  EXAMPLES,
  REPO,
  removeDir,
  runCli,
  startAgent,
  tempDir,
  useRestartableCoordinator,
  waitFor,
} from './harness.js';

const execFileAsync = promisify(execFile);
const TEXTS = join(EXAMPLES, 'texts');
const WORDCOUNT = join(EXAMPLES, 'wordcount.wasm');

/** What wordcount.wasm prints for these texts, counted here independently. */
function expectedCounts(texts: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const raw of text.toLowerCase().match(/[a-z][a-z']*/g) ?? []) {
      const word = raw.replace(/'+$/, '');
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  return [...counts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([w, n]) => `${w} ${n}\n`)
    .join('');
}

function exampleTexts(): string[] {
  return readdirSync(TEXTS)
    .sort()
    .map((name) => readFileSync(join(TEXTS, name), 'utf8'));
}

/** Map tasks over texts, then one reduce over all of them. */
function mapReduce(texts: readonly string[], mapArgs = (_i: number) => ['map']) {
  const maps = texts.map((text, i) => ({ args: mapArgs(i), files: { 'input.txt': text } }));
  return [...maps, { args: ['reduce'], dependsOn: maps.map((_, i) => i) }];
}

describe('map-reduce with task graphs', () => {
  const ctx = useRestartableCoordinator();
  const env: Record<string, string> = {};
  let grid: Anygrid;
  const dir = tempDir('anygrid-map-reduce-');
  afterAll(() => removeDir(dir));

  beforeAll(async () => {
    const { coord } = ctx;
    const admin = client(coord.url, coord.adminToken);
    env.ANYGRID_URL = coord.url;
    env.ANYGRID_TOKEN = await admin.token('requester');
    grid = new Anygrid({ url: coord.url, token: env.ANYGRID_TOKEN });
    // Two accounts: a task of redundancy 2 never goes twice to one account.
    const agents = [
      startAgent(coord.url, await admin.token('provider'), { slots: 2, name: 'a' }),
      startAgent(coord.url, await admin.token('provider'), { slots: 2, name: 'b' }),
    ];
    await waitFor('both agents to join', async () =>
      agents.every((a) => a.output().includes('joined')),
    );
  });

  it('examples/wordcount.ts (SDK) prints the word counts of examples/texts', async () => {
    const { stdout } = await execFileAsync(
      process.execPath,
      [join(REPO, 'node_modules/tsx/dist/cli.mjs'), 'examples/wordcount.ts'],
      { cwd: REPO, env: { ...process.env, ...env }, timeout: 60_000 },
    );
    expect(stdout).toBe(`${expectedCounts(exampleTexts())}\n`);
  });

  it('gives the right counts at redundancy 2 through a coordinator SIGKILLed mid-graph', async () => {
    const texts = Array.from({ length: 6 }, (_, i) =>
      `${exampleTexts().join(' ')} extra${'x'.repeat(i)} `.repeat(i + 1),
    );
    const job = await grid.submit({ module: WORDCOUNT, tasks: mapReduce(texts), redundancy: 2 });
    const seen: JobResult[] = [];
    let killed = false;
    for await (const r of job.results()) {
      seen.push(r);
      if (!killed) {
        // A map is valid and the reduce still waits: the release must survive the kill.
        killed = true;
        await ctx.restart();
      }
    }
    expect(killed).toBe(true);
    expect(seen.map((r) => r.index).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(seen.every((r) => r.outcome === 'valid')).toBe(true);
    // The reduce comes last: it could not run before its parents were valid.
    const reduce = seen.at(-1) as JobResult;
    expect(reduce.index).toBe(6);
    expect(reduce.stdout).toBe(expectedCounts(texts));
    expect(await job.view()).toMatchObject({ state: 'completed', progress: { valid: 7 } });
  });

  it('passes a map output larger than the inline limit to the reduce as a blob', async () => {
    // 12 000 distinct letter words: each map prints ~110 KB, above the 64 KiB inline limit.
    const word = (n: number) =>
      Array.from({ length: 4 }, (_, k) =>
        String.fromCharCode(97 + (Math.floor(n / 26 ** k) % 26)),
      ).join('');
    const big = Array.from({ length: 12_000 }, (_, i) => word(i)).join(' ');
    const texts = [big, `${big} zzzz`];
    const job = await grid.submit({ module: WORDCOUNT, tasks: mapReduce(texts) });
    const results = new Map<number, JobResult>();
    for await (const r of job.results()) results.set(r.index, r);
    const map = results.get(0);
    expect(map?.raw.stdout?.size).toBeGreaterThan(64 * 1024);
    expect(map?.raw.stdout?.data).toBeUndefined();
    expect(results.get(2)?.stdout).toBe(expectedCounts(texts));
  });

  it('fails the reduce when a map fails, naming the map, and completes the job', async () => {
    const texts = exampleTexts();
    const job = await grid.submit({
      module: WORDCOUNT,
      tasks: mapReduce(texts, (i) => (i === 1 ? ['fail'] : ['map'])),
      maxErrors: 0,
    });
    const results = new Map<number, JobResult>();
    for await (const r of job.results()) results.set(r.index, r);
    expect(results.get(1)).toMatchObject({ outcome: 'failed' });
    const reduce = results.get(texts.length);
    expect(reduce?.outcome).toBe('failed');
    expect(reduce?.errors).toEqual([
      {
        code: 'parent_failed',
        message: expect.stringMatching(/^Task 1, which this task depends on, failed/),
      },
    ]);
    expect(await job.view()).toMatchObject({
      state: 'completed',
      progress: { valid: texts.length - 1, failed: 2, pending: 0 },
    });
  });

  it('anygrid submit --tasks examples/wordcount.jsonl gives the same answer (CLI)', async () => {
    const sub = await runCli(
      ['submit', WORDCOUNT, '--tasks', join(EXAMPLES, 'wordcount.jsonl'), '--wait', '--json'],
      { env },
    );
    expect(sub.code, sub.stderr).toBe(0);
    const job = JSON.parse(sub.stdout) as JobView;
    expect(job).toMatchObject({ state: 'completed', progress: { valid: 4 } });
    const res = await runCli(['results', String(job.id), '--json'], { env });
    expect(res.code, res.stderr).toBe(0);
    const { results } = JSON.parse(res.stdout) as { results: TaskResult[] };
    const reduce = results.find((r) => r.index === 3);
    const data = reduce?.stdout?.data ?? '';
    expect(Buffer.from(data, 'base64').toString()).toBe(expectedCounts(exampleTexts()));
  });

  it('refuses a cycle and an unknown parent with a 422 and their codes, creating nothing', async () => {
    const requester = client(ctx.coord.url, env.ANYGRID_TOKEN);
    const module = await requester.upload(readFileSync(WORDCOUNT));
    const before = (await requester.get('/v1/jobs')).body.jobs.length;
    const cyclic = await requester.post('/v1/jobs', {
      module,
      tasks: [{ args: ['map'] }, { args: ['reduce'], dependsOn: [0, 2] }, { dependsOn: [1] }],
    });
    expect(cyclic.status).toBe(422);
    expect(cyclic.body.error).toMatchObject({
      code: 'TASK_GRAPH_CYCLE',
      details: { cycle: [1, 2] },
      message: expect.stringContaining('Task 1 depends on itself through 1 -> 2 -> 1'),
    });
    const unknown = await requester.post('/v1/jobs', {
      module,
      tasks: [{ args: ['map'] }, { args: ['reduce'], dependsOn: [0, 5] }],
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({
      code: 'TASK_DEPENDENCY_UNKNOWN',
      details: { task: 1, parent: 5 },
    });
    expect((await requester.get('/v1/jobs')).body.jobs).toHaveLength(before);

    // The CLI says the same, before uploading anything.
    const file = join(dir, 'cycle.jsonl');
    writeFileSync(file, '{"args":["map"],"dependsOn":[1]}\n{"args":["map"],"dependsOn":[0]}\n');
    const cli = await runCli(['submit', WORDCOUNT, '--tasks', file, '--json'], { env });
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain('TASK_GRAPH_CYCLE');
    expect(cli.stderr).toContain('Task 0 depends on itself');
  });
});
