import type { RunResult } from '@anygrid/runtime';
import { describe, expect, it } from 'vitest';
import { corruptResult } from './saboteur.js';

const ok = (stdout: string): RunResult => ({
  exitCode: 0,
  stdout: new TextEncoder().encode(stdout),
  stderr: new Uint8Array(0),
  dirs: {},
  durationMs: 1,
});

describe('corruptResult', () => {
  it('changes exactly one byte of a successful run and keeps it successful', () => {
    const honest = ok('1229\n');
    for (let i = 0; i < 50; i++) {
      const bad = corruptResult(honest);
      expect(bad.exitCode).toBe(0);
      expect(bad.stdout.byteLength).toBe(honest.stdout.byteLength);
      const diffs = honest.stdout.filter((b, j) => b !== bad.stdout[j]).length;
      expect(diffs).toBe(1);
    }
  });

  it('invents output when the honest answer is empty', () => {
    expect(corruptResult(ok('')).stdout.byteLength).toBe(1);
  });

  it('leaves failed runs alone', () => {
    const failed = { ...ok('x'), exitCode: 3 };
    expect(corruptResult(failed)).toBe(failed);
  });
});
