/**
 * The requester commands against a real coordinator and two real agents on 127.0.0.1:
 * `submit --wait` shows a progress bar in a terminal and prints only JSON with --json;
 * `status`, `jobs`, `results --out`, `cancel` and `token create` do what they say; errors
 * print `error CODE: message` with a next step and exit 1 (2 for usage errors).
 */

import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { JobList, JobView, TaskResult } from '@anygrid/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI,
  type CoordinatorProcess,
  client,
  countPrimes,
  EXAMPLES,
  killAll,
  REPO,
  removeDir,
  startAgent,
  startCoordinator,
  tempDir,
  waitFor,
} from './harness.js';

const exec = promisify(execFile);

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function anygrid(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], {
      cwd: REPO,
      env: { ...process.env, ...env },
      timeout: 90_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Runs the CLI inside a pseudo-terminal (`script`), as a person at a terminal would. */
async function anygridInTty(
  args: string[],
  env: Record<string, string>,
  timeout = 45_000,
): Promise<Ran> {
  const quoted = [process.execPath, CLI, ...args]
    .map((a) => `'${a.replaceAll("'", "'\\''")}'`)
    .join(' ');
  try {
    const { stdout, stderr } = await exec('script', ['-qec', quoted, '/dev/null'], {
      cwd: REPO,
      env: { ...process.env, ...env },
      timeout,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('requester commands', () => {
  let coord: CoordinatorProcess;
  let env: Record<string, string>;
  const dir = tempDir('anygrid-cli-');

  beforeAll(async () => {
    coord = await startCoordinator();
    const admin = client(coord.url, coord.adminToken);
    const provider = await admin.token('provider');
    env = { ANYGRID_URL: coord.url, ANYGRID_TOKEN: await admin.token('requester') };
    const agents = [
      startAgent(coord.url, provider, { slots: 2, name: 'a' }),
      // Another account: two hosts of one account never share a task.
      startAgent(coord.url, await admin.token('provider'), { slots: 2, name: 'b' }),
    ];
    await waitFor('both agents to join', async () =>
      agents.every((a) => a.output().includes('joined')),
    );
  });
  afterAll(async () => {
    await killAll();
    removeDir(coord.dataDir);
    removeDir(dir);
  });

  it('submit --wait shows a progress bar in a terminal and the first results', async () => {
    const tasks = join(dir, 'ranges.jsonl');
    const ranges = Array.from({ length: 12 }, (_, i) => [i * 50_000, (i + 1) * 50_000]);
    writeFileSync(tasks, ranges.map((r) => JSON.stringify({ args: r.map(String) })).join('\n'));
    const r = await anygridInTty(
      ['submit', join(EXAMPLES, 'prime.wasm'), '--tasks', tasks, '--redundancy', '2', '--wait'],
      env,
    );
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/\d+% +\d+\/12 \| valid \d+ failed \d+ \| [\d.]+\/s ETA/);
    expect(r.stdout).toMatch(/job \d+ completed in .*: 12 valid, 0 failed/);
    // The first results printed are those settled first, whichever tasks they are.
    const printed = [...r.stdout.matchAll(/#(\d+) valid exit 0: (\d+)/g)];
    expect(printed.length).toBeGreaterThan(0);
    for (const [, index, count] of printed) {
      const [a, b] = ranges[Number(index)] as [number, number];
      expect(Number(count)).toBe(countPrimes(a, b));
    }
  });

  it('submit --wait --json prints only the final JobView', async () => {
    const r = await anygrid(
      ['submit', join(EXAMPLES, 'prime.wasm'), '--args', '0', '1000', '--wait', '--json'],
      env,
    );
    expect(r.code).toBe(0);
    const view = JSON.parse(r.stdout) as JobView;
    expect(view).toMatchObject({ state: 'completed', progress: { total: 1, valid: 1 } });
  });

  it('submit --wait without a terminal prints plain progress lines; results --follow streams to the end', async () => {
    const r = await anygrid(
      ['submit', join(EXAMPLES, 'prime.wasm'), '--args', '0', '2000', '--wait'],
      env,
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^progress: 1\/1 settled \(valid 1, failed 0, no consensus 0\)/m);
    expect(r.stderr).not.toContain('\u001b[');
    expect(r.stdout).toContain(`#0 valid exit 0: ${countPrimes(0, 2000)}`);

    const sub = await anygrid(
      ['submit', join(EXAMPLES, 'prime.wasm'), '--tasks', join(dir, 'ranges.jsonl'), '--json'],
      env,
    );
    const { id } = JSON.parse(sub.stdout) as JobView;
    // Followed, each result is a line of its own as it settles.
    const follow = await anygrid(['results', String(id), '--follow', '--json'], env);
    const list = follow.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as TaskResult);
    expect(list.map((x) => x.index).sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
  });

  it('submit --inputs makes one task per file, then results --out writes them by index', async () => {
    const inputs = join(dir, 'inputs');
    for (const [name, text] of [
      ['a.txt', 'alpha\n'],
      ['b.txt', 'bravo\n'],
    ] as const) {
      writeFileSync(join(await mkdirp(inputs), name), text);
    }
    const sub = await anygrid(
      [
        'submit',
        join(EXAMPLES, 'echo.wasm'),
        '--inputs',
        inputs,
        '--input-name',
        'input.txt',
        '--wait',
        '--json',
      ],
      env,
    );
    expect(sub.code).toBe(0);
    const view = JSON.parse(sub.stdout) as JobView;
    expect(view.progress.valid).toBe(2);

    const out = join(dir, 'out');
    const res = await anygrid(['results', String(view.id), '--out', out], env);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('2 result(s) written to');
    // echo.wasm got no stdin and printed nothing there: no empty <index>.stdout files.
    expect(readdirSync(out).sort()).toEqual(['0', '0.stderr', '1', '1.stderr']);
    expect(readFileSync(join(out, '0', 'output.txt'), 'utf8')).toBe('ALPHA\n');
    expect(readFileSync(join(out, '1', 'output.txt'), 'utf8')).toBe('BRAVO\n');
    expect(readFileSync(join(out, '1.stderr'), 'utf8')).toContain('argv[1]=input.txt');

    const json = await anygrid(['results', String(view.id), '--json'], env);
    const list = JSON.parse(json.stdout) as { results: TaskResult[] };
    expect(list.results.map((x) => x.index).sort()).toEqual([0, 1]);
  });

  it('status, jobs and cancel describe and change jobs', async () => {
    const sub = await anygrid(
      ['submit', join(EXAMPLES, 'loop.wasm'), '--name', 'forever', '--timeout', '60000', '--json'],
      env,
    );
    const { id } = JSON.parse(sub.stdout) as JobView;
    const status = await anygrid(['status', String(id)], env);
    expect(status.stdout).toContain(`job ${id} "forever": running`);
    // How results are verified and whether the module is signed, not only redundancy.
    expect(status.stdout).toMatch(/^ {2}validation replicate /m);
    expect(status.stdout).toMatch(/^ {2}module .*, unsigned$/m);
    const jobs = JSON.parse((await anygrid(['jobs', '--json'], env)).stdout) as JobList;
    expect(jobs.jobs.map((j) => j.id)).toContain(id);
    const cancel = await anygrid(['cancel', String(id), '--json'], env);
    expect(cancel.code).toBe(0);
    const view = JSON.parse(cancel.stdout) as JobView;
    expect(view.state).toBe('cancelled');
    expect(view.progress).toMatchObject({ total: 1, cancelled: 1, pending: 0 });
    const again = await anygrid(['cancel', String(id)], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error CONFLICT: /m);
  });

  it('token create prints a new token that works', async () => {
    const r = await anygrid(
      ['token', 'create', '--role', 'requester', '--account', 'alice', '--data', coord.dataDir],
      {
        ANYGRID_URL: coord.url,
        ANYGRID_TOKEN: env.ANYGRID_TOKEN ?? '',
      },
    );
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    const jobs = await anygrid(['jobs', '--json'], {
      ANYGRID_URL: coord.url,
      ANYGRID_TOKEN: token,
    });
    expect(JSON.parse(jobs.stdout)).toEqual({ jobs: [] });
  });

  it('errors print a code and a next step and exit 1, or 2 for usage', async () => {
    const denied = await anygrid(['jobs'], { ANYGRID_URL: coord.url, ANYGRID_TOKEN: 'wrong' });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^error UNAUTHENTICATED: .*\n {2}next: .*ANYGRID_TOKEN/m);

    const missing = await anygrid(['status', '999999', '--json'], env);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'NOT_FOUND' } });

    const down = await anygrid(['jobs'], { ANYGRID_URL: 'http://127.0.0.1:9', ANYGRID_TOKEN: 'x' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(
      /^error UNAVAILABLE: Cannot reach the coordinator at http:\/\/127\.0\.0\.1:9/m,
    );
    expect(down.stderr).toContain('npm start');

    const usage = await anygrid(
      ['submit', join(EXAMPLES, 'prime.wasm'), '--redundancy', 'two'],
      env,
    );
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^error USAGE: .*--redundancy/m);
    // An argument's own message, not wrapped in Commander's; the help of the command given.
    const badId = await anygrid(['status', 'abc'], env);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toMatch(/^error USAGE: <job>: not a job id: abc \(/m);
    expect(badId.stderr).toContain('next: see `anygrid status --help`');
    // With --json, a usage error is JSON on stdout too, as every other error is.
    const unknown = await anygrid(['status', '1', '--bogus', '--json'], env);
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout)).toEqual({
      error: { code: 'USAGE', message: "unknown option '--bogus'" },
    });
    // A command that only groups others says which it holds, --json or not.
    for (const args of [['token'], ['token', '--json'], ['keys', '--json']]) {
      const group = await anygrid(args, env);
      expect(group.code, args.join(' ')).toBe(2);
      expect(group.stderr).toMatch(
        /^error USAGE: `anygrid (token|keys)` needs a command: create$/m,
      );
      if (args.includes('--json')) expect(JSON.parse(group.stdout).error.code).toBe('USAGE');
    }
    const unheld = await anygrid(['token', 'bogus', '--json'], env);
    expect(unheld.code).toBe(2);
    expect(JSON.parse(unheld.stdout).error.message).toBe(
      '`anygrid token` has no command "bogus"; commands: create',
    );
    // Help, however asked for, is not an error, and prints no JSON error.
    for (const args of [
      ['token', '--help'],
      ['token', 'help', 'create'],
      ['help'],
      ['help', '--json'],
    ]) {
      const help = await anygrid(args, env);
      expect(help.code, args.join(' ')).toBe(0);
      expect(help.stdout).toMatch(/^Usage: anygrid /);
      expect(help.stdout).not.toContain('"error"');
    }
    expect((await anygrid(['token', '--help'], env)).stdout).toContain(
      'Usage: anygrid token [options] [command]\n',
    );
  });
});

async function mkdirp(path: string): Promise<string> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(path, { recursive: true });
  return path;
}
