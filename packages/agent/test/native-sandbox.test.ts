/**
 * The native runner with real bubblewrap and real programs built from examples/src: a
 * native build gives the wasm build's output, and hostile programs (network, writes
 * outside their directory, a fork bomb, an endless loop, a flood of output) are stopped
 * with the failure codes the report carries.
 */

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NativeRunner, openNativeRunner } from '../src/native-runner.js';
import { buildNative, nativeTestable } from './native-programs.js';

const testable = nativeTestable();

describe.skipIf(!testable)('native sandbox (bubblewrap)', () => {
  let dir: string;
  let runner: NativeRunner;
  const exe = (name: string) => readFileSync(join(dir, name));
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

  beforeAll(async () => {
    dir = buildNative(['prime', 'echo', 'loop', 'bigout', 'netprobe', 'escape', 'forkbomb']);
    const probe = await openNativeRunner({ slots: 2 });
    if (!probe.ok) throw new Error(`bubblewrap works but the runner refused: ${probe.reason}`);
    runner = probe.runner;
  });
  afterAll(async () => {
    await runner?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a native build to the same output as the wasm one, with argv, stdin and files', async () => {
    const prime = await runner.run(exe('prime'), { program: 'prime', args: ['0', '100000'] });
    expect(prime.failure).toBeUndefined();
    expect(text(prime.stdout)).toBe('9592\n');
    const echo = await runner.run(exe('echo'), {
      program: 'echo',
      args: ['a b'],
      env: { GREETING: 'hi' },
      stdin: new TextEncoder().encode('hello\n'),
      dirs: { '/': { 'input.txt': new TextEncoder().encode('shout') } },
    });
    expect(echo.exitCode).toBe(0);
    expect(text(echo.stdout)).toBe('hello\n');
    expect(text(echo.stderr)).toContain('argv[1]=a b');
    // Inputs the program left alone are not outputs; what it wrote is.
    expect(Object.keys(echo.dirs['/'] ?? {})).toEqual(['output.txt']);
    expect(text(echo.dirs['/']?.['output.txt'] ?? new Uint8Array())).toBe('SHOUT');
  });

  it('kills a program that opens a network socket: sandbox_violation', async () => {
    const r = await runner.run(exe('netprobe'), { program: 'netprobe' });
    expect(r.failure?.code).toBe('sandbox_violation');
    expect(text(r.stdout)).not.toContain('connected');
  });

  it('lets a program write only in its own directory', async () => {
    const r = await runner.run(exe('escape'), { program: 'escape', args: [join(dir, 'escaped')] });
    expect(r.failure?.code).toBe('exit_code');
    expect(r.failure?.message).toContain('Read-only file system');
    expect(text(r.stderr)).toContain(`denied: ${join(dir, 'escaped')}`);
    expect(text(r.stderr)).toContain('denied: ../escape: Read-only file system');
    expect(() => readFileSync(join(dir, 'escaped'))).toThrow();
    expect(Object.keys(r.dirs['/'] ?? {})).toEqual(['inside.txt']);
  });

  it('stops a fork bomb at the process limit', async () => {
    const r = await runner.run(exe('forkbomb'), { program: 'forkbomb' });
    expect(r.failure?.code).toBe('exit_code');
    const forked = Number(/fork failed after (\d+) processes/.exec(text(r.stderr))?.[1]);
    expect(forked).toBeGreaterThan(0);
    expect(forked).toBeLessThanOrEqual(64);
  });

  it('kills an endless loop at the wall-time limit: time_limit', async () => {
    const r = await runner.run(exe('loop'), { program: 'loop', limits: { wallTimeMs: 500 } });
    expect(r.failure?.code).toBe('time_limit');
    expect(r.exitCode).toBeNull();
  });

  it('kills a program whose output passes the limit: output_limit', async () => {
    const r = await runner.run(exe('bigout'), {
      program: 'bigout',
      limits: { outputBytes: 100_000 },
    });
    expect(r.failure?.code).toBe('output_limit');
    expect(r.stdout.byteLength).toBeLessThanOrEqual(100_000);
  });
});
