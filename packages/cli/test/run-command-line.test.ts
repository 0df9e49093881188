/**
 * `anygrid run` gives a module the command line a provider would: argv[0] is `--argv0`
 * or the module's file name, and argv + environment are bounded by the grid's
 * `MAX_TASK_ARGV_ENV_BYTES`, counted as `argvEnvBytes` counts them — exactly the bound
 * runs, one byte more is a usage error before anything runs. examples/echo.wasm lists
 * its argv on stderr.
 */

import { join } from 'node:path';
import { argvEnvBytes, MAX_TASK_ARGV_ENV_BYTES } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, runCli } from './harness.js';

const ECHO = join(EXAMPLES, 'echo.wasm');

function listedArgv(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('argv['))
    .map((l) => l.slice(l.indexOf('=') + 1));
}

/**
 * Arguments that with `env` take exactly `bytes`. Linux refuses a single argument over
 * 128 KiB to execve, so the command line is split into several under that.
 */
function argsOfBytes(bytes: number, env: Record<string, string>): string[] {
  // Three-byte characters in one, so UTF-8 bytes are counted, not characters.
  const args = ['x'.repeat(65_535), 'y'.repeat(65_535), `${'€'.repeat(1000)}${'z'.repeat(62_535)}`];
  const rest = bytes - argvEnvBytes(args, env) - 1;
  args.push('w'.repeat(rest));
  expect(argvEnvBytes(args, env)).toBe(bytes);
  return args;
}

describe('anygrid run: the command line', () => {
  it("gives argv[0] as --argv0, else the module's file name", async () => {
    const named = await runCli(['run', ECHO, '--argv0', 'busybox', '--', 'ls', '-l']);
    expect(named.code, named.stderr).toBe(0);
    expect(listedArgv(named.stderr)).toEqual(['busybox', 'ls', '-l']);
    const plain = await runCli(['run', ECHO, '--', 'ls']);
    expect(listedArgv(plain.stderr)).toEqual(['echo.wasm', 'ls']);
  });

  it('runs argv + env of exactly the byte bound and refuses one byte more', async () => {
    const env = { LANG: 'C' };
    const args = argsOfBytes(MAX_TASK_ARGV_ENV_BYTES, env);
    const at = await runCli(['run', ECHO, '--env', 'LANG=C', '--', ...args]);
    expect(at.code, at.stderr.slice(0, 500)).toBe(0);
    expect(listedArgv(at.stderr)).toEqual(['echo.wasm', ...args]);

    const over = await runCli([
      'run',
      ECHO,
      '--env',
      'LANG=C',
      '--',
      ...args.slice(0, -1),
      `${args.at(-1)}w`,
    ]);
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(
      new RegExp(
        `^error ARGS_TOO_LARGE: .*${MAX_TASK_ARGV_ENV_BYTES + 1} bytes.*\\n {2}next: `,
        'm',
      ),
    );
    expect(over.stderr).not.toContain('argv[0]=');
  });

  it('refuses an empty --argv0, as the grid does', async () => {
    const r = await runCli(['run', ECHO, '--argv0', '']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error USAGE: --argv0 must be 1 to 255 characters/m);
  });
});
