import { hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { outputDigest } from './output-digest.js';

/** The definition: sha256 of the JSON of [exit code, stdout hash, sorted [name, hash] pairs]. */
function reference(exitCode: number | null, stdout: string | null, files: Record<string, string>) {
  const pairs = Object.keys(files)
    .sort()
    .map((name) => [name, files[name]]);
  return hash('sha256', JSON.stringify([exitCode, stdout, pairs]), 'hex');
}

const H = 'c0ffee'.repeat(10).padEnd(64, '0');

describe('outputDigest', () => {
  it.each([
    [0, H, {}],
    [1, H, {}],
    [-1, null, {}],
    [null, null, {}],
    [null, H, {}],
    [0, H, { 'b.txt': H, 'a.txt': H.replace('c', 'd') }],
    [2, null, { 'dir/x"y': H }],
  ] as const)('exit %s, stdout %s, files %j: the defined digest', (exitCode, stdout, files) => {
    const summary = {
      exitCode,
      stdout: stdout === null ? null : { hash: stdout },
      files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, { hash: v }])),
    };
    expect(outputDigest(summary)).toBe(reference(exitCode, stdout, files));
  });

  it('leaves stderr out and tells different stdout apart', () => {
    const a = outputDigest({ exitCode: 0, stdout: { hash: H }, files: {} });
    const b = outputDigest({ exitCode: 0, stdout: { hash: H.replace('c', 'e') }, files: {} });
    expect(a).not.toBe(b);
  });
});
