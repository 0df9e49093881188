/**
 * No dead file in bench/: each script is reached from `npm run bench` (bench/run.js),
 * by an import or as a path a part starts as its own process. A file nothing reaches
 * (bench/protocol-client.js was one) goes stale unseen, since nothing runs it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './repo-root.js';

const BENCH = path.join(repoRoot, 'bench');
const IMPORT = /(?:from\s*|import\(\s*)['"](\.\/[^'"]+)['"]/g;
const SPAWNED = /['"]bench\/([\w.-]+\.m?js)['"]/g;

/** The bench scripts a file reaches directly. */
function reached(file: string): string[] {
  const text = fs.readFileSync(path.join(BENCH, file), 'utf8');
  return [
    ...[...text.matchAll(IMPORT)].map((m) => path.posix.normalize(m[1] as string)),
    ...[...text.matchAll(SPAWNED)].map((m) => m[1] as string),
  ];
}

describe('bench/', () => {
  it('holds no script that bench/run.js does not reach', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file) || !fs.existsSync(path.join(BENCH, file))) return;
      seen.add(file);
      for (const next of reached(file)) visit(next);
    };
    visit('run.js');
    const scripts = fs.readdirSync(BENCH).filter((f) => /\.m?js$/.test(f));
    expect(seen.size).toBeGreaterThan(5);
    expect(scripts.filter((f) => !seen.has(f))).toEqual([]);
  });
});
