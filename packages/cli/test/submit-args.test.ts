/**
 * `anygrid submit MODULE [options] -- ARGS…`: the task's arguments go last, after `--`,
 * and may look like options, as real programs' do; `--args` takes dash words too, up
 * to the next option of submit's own; an empty `--args` and giving arguments both ways
 * are usage errors naming the `--` form; `--argv0` names argv[0], by default the module's file name. examples/echo.wasm
 * lists its argv on stderr, so the tests read back exactly what the task was given.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobView } from '@anygrid/protocol';
import { Anygrid } from '@anygrid/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import {
  client,
  EXAMPLES,
  removeDir,
  runCli,
  tempDir,
  useCoordinatorWithAgent,
} from './harness.js';

const ECHO = join(EXAMPLES, 'echo.wasm');

describe('submit: task arguments after --', () => {
  const ctx = useCoordinatorWithAgent();
  const dir = tempDir('anygrid-submit-args-');
  const env = ctx.cliEnv;
  afterAll(() => removeDir(dir));

  /** Submits with `args`, waits, and returns the argv task 0 was given. */
  async function argvOf(args: string[]): Promise<string[]> {
    const r = await runCli(['submit', ECHO, '--wait', '--json', ...args], { env });
    expect(r.code, r.stderr).toBe(0);
    const view = JSON.parse(r.stdout) as JobView;
    expect(view.progress.valid).toBe(1);
    const grid = new Anygrid({ url: env.ANYGRID_URL, token: env.ANYGRID_TOKEN });
    for await (const result of grid.job(view.id).results()) {
      return result.stderr
        .split('\n')
        .filter((l) => l.startsWith('argv['))
        .map((l) => l.slice(l.indexOf('=') + 1));
    }
    throw new Error('no result');
  }

  it('passes dash arguments after -- as they are, argv[0] the module file name', async () => {
    expect(await argvOf(['--', '-voice', 'kal', '-o', 'out.wav', '--wait'])).toEqual([
      'echo.wasm',
      '-voice',
      'kal',
      '-o',
      'out.wav',
      '--wait',
    ]);
  });

  it('takes --args=-x one value at a time, and --argv0', async () => {
    expect(await argvOf(['--argv0', 'busybox', '--args=-l', '--args=-a'])).toEqual([
      'busybox',
      '-l',
      '-a',
    ]);
  });

  it('applies the {} template of input files to the arguments after --', async () => {
    const input = join(dir, 'notes.txt');
    writeFileSync(input, 'x\n');
    const args = ['--input', input, '--input-name', 'input.txt', '--', '-i', '{}', '-o', 'out'];
    expect(await argvOf(args)).toEqual(['echo.wasm', '-i', 'input.txt', '-o', 'out']);
  });

  it('takes dash words after --args too, up to the next option of submit', async () => {
    expect(await argvOf(['--args', '-voice', 'kal', '-o', 'out.wav', '--argv0', 'say'])).toEqual([
      'say',
      '-voice',
      'kal',
      '-o',
      'out.wav',
    ]);
  });

  it('refuses an empty --args or arguments given twice, naming the -- form, before anything is sent', async () => {
    const mine = client(ctx.coord.url, env.ANYGRID_TOKEN);
    const before = await mine.get('/v1/jobs');
    expect(before.body.jobs.length).toBeGreaterThan(0);
    for (const args of [['--args', '--', '-voice'], ['--args', '--wait'], ['--args']]) {
      const r = await runCli(['submit', ECHO, ...args], { env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^error USAGE: .*anygrid submit MODULE \[options\] -- /m);
    }
    const twice = await runCli(['submit', ECHO, '--args', 'a', '--', 'b'], { env });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/^error USAGE: task arguments given twice/m);
    const tasks = join(dir, 'tasks.jsonl');
    writeFileSync(tasks, '{"args":["1"]}\n');
    const mixed = await runCli(['submit', ECHO, '--tasks', tasks, '--', 'b'], { env });
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/^error USAGE: --tasks cannot be combined/m);
    expect((await mine.get('/v1/jobs')).body).toEqual(before.body);
  });

  it('shows the -- form in submit --help', async () => {
    const help = await runCli(['submit', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: anygrid submit <module> [options] [-- args...]');
    expect(help.stdout).toContain('anygrid submit MODULE [options] -- ARGS...');
    expect(help.stdout).toMatch(/--argv0 <name> +argv\[0\] of every task/);
  });
});
