#!/usr/bin/env node
/**
 * @module
 * `node .ci/conformance-counts.mjs [REPORT]`: how many tests of the WASI conformance
 * files ran and passed, in Node and in Chromium, read from vitest's JSON report
 * (default test-results/vitest.json) so the CI log states what this very run proved.
 * Exits 1 when either file has no passing test: a suite or browser that went missing
 * must not pass for a green run.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** The conformance test file of each sandbox. */
export const CONFORMANCE_FILES = {
  node: 'packages/runtime/test/conformance-node.test.ts',
  chromium: 'packages/runtime/test/conformance-browser.test.ts',
};

/**
 * Tests of each conformance file by status, from a vitest JSON report. A file that
 * failed to load (no tests collected) counts as one failure.
 */
export function conformanceCounts(report) {
  const counts = {};
  for (const [where, file] of Object.entries(CONFORMANCE_FILES)) {
    const c = { passed: 0, failed: 0, skipped: 0, total: 0 };
    const results = report.testResults.filter((r) => r.name.replaceAll('\\', '/').endsWith(file));
    for (const result of results) {
      if (result.assertionResults.length === 0 && result.status === 'failed') c.failed++;
      for (const test of result.assertionResults) {
        if (test.status === 'passed') c.passed++;
        else if (test.status === 'failed') c.failed++;
        else c.skipped++;
      }
    }
    c.total = c.passed + c.failed + c.skipped;
    counts[where] = c;
  }
  return counts;
}

/** One line for the log, e.g. `conformance tests: node 73/73 passed, chromium 74/74 passed`. */
export function conformanceLine(counts) {
  const part = ([where, c]) => {
    const rest = [c.failed && `${c.failed} failed`, c.skipped && `${c.skipped} skipped`];
    const extra = rest.filter(Boolean).join(', ');
    return `${where} ${c.passed}/${c.total} passed${extra ? ` (${extra})` : ''}`;
  };
  return `conformance tests: ${Object.entries(counts).map(part).join(', ')}`;
}

/** The sandboxes in which no conformance test passed. */
export function unproven(counts) {
  return Object.entries(counts)
    .filter(([, c]) => c.passed === 0)
    .map(([where]) => where);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const path = process.argv[2] ?? 'test-results/vitest.json';
  const counts = conformanceCounts(JSON.parse(readFileSync(path, 'utf8')));
  console.log(conformanceLine(counts));
  const none = unproven(counts);
  if (none.length > 0) {
    console.error(`ci: no WASI conformance test passed in ${none.join(' or ')}`);
    process.exit(1);
  }
}
