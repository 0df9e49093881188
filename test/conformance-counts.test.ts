/**
 * `.ci/conformance-counts.mjs`, which states in the CI log how many WASI conformance
 * tests this run passed in Node and in Chromium, and fails the run when either is none.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  conformanceCounts,
  conformanceLine,
  unproven,
  type VitestReport,
} from '../.ci/conformance-counts.mjs';
import { repoRoot } from './repo-root.js';

const file = (name: string, statuses: string[], status = 'passed') => ({
  name: path.join(repoRoot, name),
  status,
  assertionResults: statuses.map((s) => ({ status: s })),
});

const node = 'packages/runtime/test/conformance-node.test.ts';
const chromium = 'packages/runtime/test/conformance-browser.test.ts';

const green: VitestReport = {
  testResults: [
    file(node, Array(73).fill('passed')),
    file(chromium, Array(74).fill('passed')),
    file('packages/runtime/test/limits.test.ts', ['passed', 'failed']),
  ],
};

describe('conformance counts', () => {
  it('counts only the tests of the two conformance files, by status', () => {
    const counts = conformanceCounts(green);
    expect(conformanceLine(counts)).toBe(
      'conformance tests: node 73/73 passed, chromium 74/74 passed',
    );
    expect(unproven(counts)).toEqual([]);
  });

  it('names a sandbox whose conformance tests were all skipped', () => {
    const counts = conformanceCounts({
      testResults: [file(node, ['passed', 'failed']), file(chromium, ['skipped', 'skipped'])],
    });
    expect(conformanceLine(counts)).toBe(
      'conformance tests: node 1/2 passed (1 failed), chromium 0/2 passed (2 skipped)',
    );
    expect(unproven(counts)).toEqual(['chromium']);
  });

  it('counts a conformance file that failed to load, and one absent from the run, as proving nothing', () => {
    const counts = conformanceCounts({ testResults: [file(node, [], 'failed')] });
    expect(conformanceLine(counts)).toBe(
      'conformance tests: node 0/1 passed (1 failed), chromium 0/0 passed',
    );
    expect(unproven(counts)).toEqual(['node', 'chromium']);
  });

  it('exits 1 from the command line when a sandbox proved nothing, 0 otherwise', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-counts-'));
    const run = (report: VitestReport) => {
      const json = path.join(dir, 'vitest.json');
      fs.writeFileSync(json, JSON.stringify(report));
      try {
        const out = execFileSync('node', ['.ci/conformance-counts.mjs', json], {
          cwd: repoRoot,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        return { code: 0, out };
      } catch (e) {
        const err = e as { status: number; stdout: string; stderr: string };
        return { code: err.status, out: err.stdout + err.stderr };
      }
    };
    try {
      expect(run(green)).toEqual({
        code: 0,
        out: 'conformance tests: node 73/73 passed, chromium 74/74 passed\n',
      });
      const skipped = run({ testResults: [file(node, ['passed']), file(chromium, ['skipped'])] });
      expect(skipped.code).toBe(1);
      expect(skipped.out).toContain('no WASI conformance test passed in chromium');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
