/**
 * Typing mistakes a person makes at the command line are usage errors (exit 2) that
 * name the mistake, never `INTERNAL` with a plea to report a bug, and never a
 * coordinator blamed for a URL that was never a URL.
 */

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI, REPO } from './harness.js';

const run = promisify(execFile);

async function fails(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stderr: string }> {
  const result = await run(process.execPath, [CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, ANYGRID_URL: '', ANYGRID_TOKEN: '', ...env },
    timeout: 20_000,
  }).catch((e: { code: number; stderr: string }) => e);
  if (!('code' in result)) throw new Error(`${args.join(' ')} succeeded`);
  return { code: result.code, stderr: result.stderr };
}

describe('a mistake on the command line', () => {
  it.each([
    [['status', 'abc'], /not a job id: abc/],
    [['cancel', '1.5'], /not a job id: 1\.5/],
    [['status', '1', '--url', '127.0.0.1:7070'], /not an http\(s\) URL: 127\.0\.0\.1:7070/],
    [['provide', '--coordinator', 'localhost:7070', '--token', 't'], /not an http\(s\) URL/],
    [['provide', '--coordinator', 'http://127.0.0.1:9', '--log-level', 'loud'], /loud/],
    [['submit', 'm.wasm', '--validation', 'adaptiv'], /expected one of replicate, adaptive/],
    [['submit', 'm.wasm', '--validation', 'spot-check'], /known answers.*TypeScript.*spot-check/],
  ])('anygrid %j is a usage error that names it', async (args, message) => {
    const { code, stderr } = await fails(args as string[]);
    expect(stderr).not.toMatch(/INTERNAL|please report/);
    expect(stderr).toMatch(message as RegExp);
    expect(code).toBe(2);
  });

  it.each([
    [['status', '1'], { ANYGRID_URL: 'ftp://example' }, /not an http\(s\) URL: ftp:\/\/example/],
    [
      ['provide', '--coordinator', 'http://127.0.0.1:9', '--token', 't'],
      { ANYGRID_LOG_LEVEL: 'loud' },
      /loud/,
    ],
  ])('anygrid %j with %j in the environment is a usage error too', async (args, env, message) => {
    const { code, stderr } = await fails(args as string[], env as Record<string, string>);
    expect(stderr).not.toMatch(/INTERNAL|please report/);
    expect(stderr).toMatch(message as RegExp);
    expect(code).toBe(2);
  });
});
