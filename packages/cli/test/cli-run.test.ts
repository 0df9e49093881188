/**
 * `anygrid run` runs a module on this machine in the providers' sandbox: output passes
 * through, the module's exit code becomes the process's, sandbox failures exit 1xx.
 */

import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, countPrimes, EXAMPLES, REPO, removeDir, tempDir } from './harness.js';

const exec = promisify(execFile);

/** Runs the CLI and returns its exit code and output, whatever the exit code. */
async function anygrid(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], {
      cwd: REPO,
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('anygrid run', () => {
  const dir = tempDir('anygrid-run-');
  afterAll(() => removeDir(dir));

  it('prints the prime count of examples/prime.wasm and exits 0', async () => {
    const r = await anygrid(['run', join(EXAMPLES, 'prime.wasm'), '--', '0', '100000']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${countPrimes(0, 100_000)}\n`);
  });

  it("exits with the module's own exit code", async () => {
    const r = await anygrid(['run', join(EXAMPLES, 'exit7.wasm')]);
    expect(r.code).toBe(7);
  });

  it('exits 124 with the failure code on stderr when the time limit is hit', async () => {
    const r = await anygrid(['run', join(EXAMPLES, 'loop.wasm'), '--timeout', '300']);
    expect(r.code).toBe(124);
    expect(r.stderr).toMatch(/^error time_limit: /m);
  });

  it('feeds stdin and writes the files the module creates back into the --dir', async () => {
    const work = join(dir, 'work');
    mkdirSync(work);
    writeFileSync(join(work, 'input.txt'), 'shout\n');
    writeFileSync(join(dir, 'stdin.txt'), 'piped\n');
    const r = await anygrid([
      'run',
      join(EXAMPLES, 'echo.wasm'),
      '--dir',
      `${work}::/`,
      '--stdin',
      join(dir, 'stdin.txt'),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('piped\n');
    expect(readFileSync(join(work, 'output.txt'), 'utf8')).toBe('SHOUT\n');
  });

  it('prints one JSON document with --json', async () => {
    const r = await anygrid(['run', join(EXAMPLES, 'prime.wasm'), '--json', '--', '0', '1000']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      exitCode: 0,
      failure: null,
      stdout: `${countPrimes(0, 1000)}\n`,
    });
  });

  it('exits 126 for bytes that are not a module, and 2 for a usage error', async () => {
    const bad = await anygrid(['run', join(EXAMPLES, 'build.sh')]);
    expect(bad.code).toBe(126);
    expect(bad.stderr).toMatch(/^error invalid_module: /m);
    const usage = await anygrid(['run']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^error USAGE: /m);
  });
});
