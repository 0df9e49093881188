/**
 * A comment that sends the reader to a document must send them somewhere that exists:
 * "(NOTES.md)" in place of the reason, after NOTES.md stayed on one machine, explains
 * nothing. Every `*.md` named in a comment of packages/<pkg>/src or bench/ is a file
 * in the repository.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './repo-root.js';

const SKIP = new Set(['node_modules', 'dist', '.git', 'results']);

function walk(dir: string, keep: (file: string) => boolean): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return walk(file, keep);
    return keep(file) ? [path.relative(repoRoot, file)] : [];
  });
}

const COMMENT_LINE = /^\s*(?:\/\*\*?|\*|\/\/)/;
const MARKDOWN = /[\w./-]*\w\.md\b/g;

describe('comments', () => {
  it('name only markdown documents that are in the repository', () => {
    const documents = walk(repoRoot, (f) => f.endsWith('.md'));
    const exists = (ref: string) => documents.some((d) => d === ref || d.endsWith(`/${ref}`));
    const sources = [
      ...fs
        .readdirSync(path.join(repoRoot, 'packages'))
        .filter((p) => fs.existsSync(path.join(repoRoot, 'packages', p, 'src')))
        .flatMap((p) => walk(path.join(repoRoot, 'packages', p, 'src'), (f) => f.endsWith('.ts'))),
      ...walk(path.join(repoRoot, 'bench'), (f) => /\.m?js$/.test(f)),
    ];
    const missing = sources.flatMap((file) =>
      fs
        .readFileSync(path.join(repoRoot, file), 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          COMMENT_LINE.test(line)
            ? [...line.matchAll(MARKDOWN)]
                .filter((m) => !exists(m[0]))
                .map((m) => `${file}:${i + 1} names ${m[0]}`)
            : [],
        ),
    );
    expect(sources.length).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });
});
