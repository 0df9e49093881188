/**
 * Where a task's files are, as `submit --help` documents it, checked by running its
 * example as printed against a coordinator and an agent: the input file is in the
 * task's preopened directory under its name, the file the module writes there comes
 * back as `DIR/<index>/<path>` from `results --out DIR`, and a stdout or stderr that is
 * empty is not written at all.
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobView } from '@anygrid/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLES, REPO, removeDir, runCli, tempDir, useCoordinatorWithAgent } from './harness.js';

/** The shell lines of the help's "Example:" section, without their comments. */
function helpExample(help: string): string[] {
  const section = help.slice(help.indexOf('\nExample:'));
  return section
    .split('\n')
    .slice(1)
    .filter((l) => l.startsWith('  anygrid '))
    .map((l) => l.replace(/#.*$/, '').trim());
}

/** A command line's words (the example has no quoting). */
function words(line: string): string[] {
  return line.split(/\s+/).slice(1);
}

/** What examples/echo.wasm writes: ASCII letters uppercased, every other byte as it is. */
function asciiUpper(bytes: Buffer): Buffer {
  return Buffer.from(bytes.map((b) => (b >= 0x61 && b <= 0x7a ? b - 0x20 : b)));
}

describe('the files of a task', () => {
  const ctx = useCoordinatorWithAgent();
  const dir = tempDir('anygrid-task-files-');
  const env = ctx.cliEnv;
  afterAll(() => removeDir(dir));

  it('the example of submit --help gives back the output file it describes', async () => {
    const help = await runCli(['submit', '--help']);
    const [submit, results] = helpExample(help.stdout);
    expect(submit).toBe(
      'anygrid submit examples/echo.wasm --input examples/README.md --input-name input.txt --wait',
    );
    expect(results).toBe('anygrid results JOB --out results/');
    const filesSection = help.stdout.slice(
      help.stdout.indexOf('Files of a task:'),
      help.stdout.indexOf('More examples:'),
    );
    expect((await runCli(['results', '--help'])).stdout).toContain(filesSection.trim());

    const sub = await runCli([...words(submit as string), '--json'], { env });
    expect(sub.code, sub.stderr).toBe(0);
    const job = JSON.parse(sub.stdout) as JobView;
    expect(job.progress.valid).toBe(1);
    const out = join(dir, 'results');
    const args = words(results as string).map((w) =>
      w === 'JOB' ? String(job.id) : w === 'results/' ? out : w,
    );
    const res = await runCli(args, { env });
    expect(res.code, res.stderr).toBe(0);

    const input = readFileSync(join(REPO, 'examples/README.md'));
    expect(readFileSync(join(out, '0', 'output.txt'))).toEqual(asciiUpper(input));
    expect(readFileSync(join(out, '0.stderr'), 'utf8')).toBe(
      'argv[0]=echo.wasm\nargv[1]=input.txt\n',
    );
    // echo.wasm read no stdin, so it printed nothing there: no empty 0.stdout.
    expect(existsSync(join(out, '0.stdout'))).toBe(false);
  });

  it('results --out writes <index>.stdout only for tasks that printed something', async () => {
    const tasks = join(dir, 'tasks.jsonl');
    writeFileSync(tasks, '{"stdin":"said\\n"}\n{}\n');
    const sub = await runCli(
      ['submit', join(EXAMPLES, 'echo.wasm'), '--tasks', tasks, '--wait', '--json'],
      { env },
    );
    const job = JSON.parse(sub.stdout) as JobView;
    expect(job.progress.valid).toBe(2);
    const out = join(dir, 'silent');
    const res = await runCli(['results', String(job.id), '--out', out], { env });
    expect(res.code, res.stderr).toBe(0);
    expect(readFileSync(join(out, '0.stdout'), 'utf8')).toBe('said\n');
    expect(existsSync(join(out, '1.stdout'))).toBe(false);
    expect(existsSync(join(out, '1.stderr'))).toBe(true);
  });

  it("README.md's CLI section says the same", () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const cli = readme.slice(readme.indexOf('## The CLI'), readme.indexOf('## Add a provider'));
    expect(cli).toContain('preopened at `/` and the');
    expect(cli).toContain('`DIR/<index>/<path>`');
    expect(cli).toContain('(each when not empty)');
  });
});
