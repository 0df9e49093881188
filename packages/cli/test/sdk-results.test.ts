/**
 * The SDK against a real coordinator and agents: `job.results()` delivers every result
 * exactly once even when the coordinator is SIGKILLed and restarted mid-stream; large
 * outputs are fetched by hash; output files and errors come back as the protocol says.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError } from '@anygrid/protocol';
import { Anygrid, CoordinatorUnreachableError, type JobResult } from '@anygrid/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  countPrimes,
  EXAMPLES,
  startAgent,
  useRestartableCoordinator,
  waitFor,
} from './harness.js';

describe('the SDK', () => {
  const ctx = useRestartableCoordinator();
  let grid: Anygrid;

  beforeAll(async () => {
    const { coord } = ctx;
    const admin = client(coord.url, coord.adminToken);
    const provider = await admin.token('provider');
    grid = new Anygrid({ url: coord.url, token: await admin.token('requester') });
    const agents = [
      startAgent(coord.url, provider, { slots: 2, name: 'a' }),
      // Another account: two hosts of one account never share a task.
      startAgent(coord.url, await admin.token('provider'), { slots: 2, name: 'b' }),
    ];
    await waitFor('both agents to join', async () =>
      agents.every((a) => a.output().includes('joined')),
    );
  });

  it('streams every result exactly once across a coordinator restart', async () => {
    const ranges = Array.from({ length: 80 }, (_, i) => [i * 20_000, (i + 1) * 20_000] as const);
    const job = await grid.submit({
      module: join(EXAMPLES, 'prime.wasm'),
      tasks: ranges.map((r) => ({ args: r })),
      redundancy: 2,
    });
    const seen: JobResult[] = [];
    let restarted = false;
    for await (const r of job.results()) {
      seen.push(r);
      if (seen.length === 10 && !restarted) {
        restarted = true;
        await ctx.restart();
      }
    }
    expect(restarted).toBe(true);
    expect(seen).toHaveLength(80);
    expect(new Set(seen.map((r) => r.index)).size).toBe(80);
    for (const r of seen) {
      const [a, b] = ranges[r.index] ?? [0, 0];
      expect(r.outcome).toBe('valid');
      expect(r.stdout).toBe(`${countPrimes(a, b)}\n`);
    }
    const final = await job.wait();
    expect(final).toMatchObject({ state: 'completed', progress: { total: 80, valid: 80 } });
  });

  it('fetches large stdout by hash and output files by name, and dedupes identical inputs', async () => {
    const big = 'y'.repeat(100_000);
    const job = await grid.submit({
      module: new Uint8Array(readFileSync(join(EXAMPLES, 'echo.wasm'))),
      tasks: [
        { stdin: big, files: { 'input.txt': 'same input\n' } },
        { stdin: 'small\n', files: { 'input.txt': 'same input\n' } },
      ],
    });
    // module, big stdin, small stdin, and one input file shared by both tasks
    expect(grid.lastSubmit.uploadedBlobs).toBe(4);
    const results = new Map<number, JobResult>();
    for await (const r of job.results()) results.set(r.index, r);
    const first = results.get(0);
    expect(first?.raw.stdout?.data).toBeUndefined();
    expect(first?.stdout).toBe(big);
    expect(results.get(1)?.stdout).toBe('small\n');
    expect(new TextDecoder().decode(await job.file(first ?? { files: {} }, 'output.txt'))).toBe(
      'SAME INPUT\n',
    );
    expect(first?.stderr).toContain('argv[0]=');
  });

  it('yields failed tasks with their errors', async () => {
    const job = await grid.submit({
      module: join(EXAMPLES, 'exit7.wasm'),
      tasks: [{}],
      maxErrors: 0,
    });
    const results: JobResult[] = [];
    for await (const r of job.results()) results.push(r);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ outcome: 'failed' });
    expect(results[0]?.errors[0]?.code).toBe('exit_code');
  });

  it('rebuilds coordinator errors as their classes and names an unreachable URL', async () => {
    await expect(grid.job(987654).view()).rejects.toBeInstanceOf(NotFoundError);
    const nowhere = new Anygrid({ url: 'http://127.0.0.1:9', token: 'x' });
    const err = await nowhere.jobs().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CoordinatorUnreachableError);
    expect((err as Error).message).toMatch(/http:\/\/127\.0\.0\.1:9.*npm start/);
  });

  it('refuses a bad policy before uploading anything', async () => {
    const offline = new Anygrid({ url: 'http://127.0.0.1:9' });
    await expect(
      offline.submit({ module: new Uint8Array([0]), tasks: [{}], redundancy: 99 }),
    ).rejects.toThrow(/Invalid redundancy/);
    await expect(
      grid.submit({ module: new Uint8Array([0]), tasks: [{}], redundancy: 99 }),
    ).rejects.toThrow(/Invalid redundancy/);
  });
});
