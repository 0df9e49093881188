import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InvalidRequestError, MAX_TASK_ARGV_ENV_BYTES } from '@anygrid/protocol';
import { Anygrid } from '@anygrid/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { makeLargeModule } from '../../../examples/make-large-module.mjs';
import { CLI, example, REPO, removeDir, sha256, tempDir, useCoordinator } from './harness.js';

const run = promisify(execFile);

describe('a submit the protocol refuses', () => {
  const ctx = useCoordinator();
  const dir = tempDir();
  afterAll(() => removeDir(dir));
  // Large enough that uploading it first would be a real cost to the requester.
  const big = makeLargeModule(example('echo.wasm'), 21 * 1024 * 1024);
  const bigPath = join(dir, 'big.wasm');
  writeFileSync(bigPath, big);
  const hash = sha256(big);
  const held = async () => (await ctx.requester.request('HEAD', `/v1/blobs/${hash}`)).status;

  const badJobs: Array<[string, Parameters<Anygrid['submit']>[0], string]> = [
    [
      'an argv over the byte bound',
      {
        module: bigPath,
        tasks: [{ args: ['ok'] }, { args: ['x'.repeat(MAX_TASK_ARGV_ENV_BYTES)] }],
      },
      'tasks.1.args',
    ],
    [
      'an input file named ../x',
      { module: bigPath, tasks: [{ files: { '../x': 'hi' } }] },
      'tasks.0.files',
    ],
    [
      'a bad environment name',
      { module: bigPath, tasks: [{ env: { 'A-B': '1' } }] },
      'tasks.0.env',
    ],
    ['an empty argv0', { module: bigPath, argv0: '', tasks: [{}] }, 'argv0'],
    ['an empty name', { module: bigPath, name: '', tasks: [{}] }, 'name'],
    ['a redundancy of 99', { module: bigPath, redundancy: 99, tasks: [{}] }, 'redundancy'],
  ];

  it.each(badJobs)(
    'from the SDK (%s) uploads nothing and names the field',
    async (_, job, field) => {
      const grid = new Anygrid({ url: ctx.coord.url, token: await ctx.admin.token('requester') });
      const err = await grid.submit(job).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidRequestError);
      expect((err as Error).message).toContain(field);
      expect(await held()).toBe(404);
    },
  );

  it('of a file that is not WebAssembly uploads nothing and says what to build', async () => {
    // A 21 MB module with its first byte changed: still large, no longer wasm.
    const notWasm = Buffer.from(big);
    notWasm[0] = 0x7f;
    const path = join(dir, 'not-wasm.wasm');
    writeFileSync(path, notWasm);
    const token = await ctx.admin.token('requester');
    const grid = new Anygrid({ url: ctx.coord.url, token });
    const err = await grid.submit({ module: path, tasks: [{}] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect((err as Error).message).toMatch(/not a WebAssembly module.*wasm32-wasi/);
    const refused = await run(process.execPath, [CLI, 'submit', path, '--', 'x'], {
      cwd: REPO,
      env: { ...process.env, ANYGRID_URL: ctx.coord.url, ANYGRID_TOKEN: token },
    }).catch((e: { code: number; stderr: string }) => e);
    expect('code' in refused && refused.code).toBe(1);
    expect(refused.stderr).toMatch(/INVALID_REQUEST: .*not-wasm\.wasm is not a WebAssembly module/);
    expect((await ctx.requester.request('HEAD', `/v1/blobs/${sha256(notWasm)}`)).status).toBe(404);
  });

  it('from the CLI uploads nothing, and the same job made valid does upload', async () => {
    const token = await ctx.admin.token('requester');
    const env = { ...process.env, ANYGRID_URL: ctx.coord.url, ANYGRID_TOKEN: token };
    const tasks = join(dir, 'tasks.jsonl');
    writeFileSync(tasks, `{"args":["ok"]}\n{"args":["${'x'.repeat(MAX_TASK_ARGV_ENV_BYTES)}"]}\n`);
    const refused = await run(process.execPath, [CLI, 'submit', bigPath, '--tasks', tasks], {
      cwd: REPO,
      env,
    }).catch((e: { code: number; stderr: string }) => e);
    expect('code' in refused && refused.code).toBe(1);
    expect(refused.stderr).toMatch(/INVALID_REQUEST.*tasks\.1\.args/);
    expect(await held()).toBe(404);

    writeFileSync(tasks, '{"args":["ok"]}\n');
    const { stdout } = await run(process.execPath, [CLI, 'submit', bigPath, '--tasks', tasks], {
      cwd: REPO,
      env,
    });
    expect(stdout).toMatch(/submitted job \d+: 1 task\(s\), uploaded 1 blob/);
    expect(await held()).toBe(200);
  });
});
