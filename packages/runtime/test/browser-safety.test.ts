/**
 * The browser half of the runtime must load as plain ES modules from dist/: every
 * module reachable from the browser entry points imports only relative `.js` files,
 * and nothing outside src/node/ imports a `node:` module.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { distDir, ensureRuntimeBuilt, packageDir } from './runtime-dist.js';

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s*(?:[^'"`;]*?\sfrom\s*)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function specifiers(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2]) as string);
}

/** Every file reachable from `entry` through relative imports, with the specifiers that are not relative. */
function graph(entry: string): { files: Set<string>; bad: string[] } {
  const files = new Set<string>();
  const bad: string[] = [];
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of specifiers(file)) {
      if (!spec.startsWith('./') && !spec.startsWith('../'))
        bad.push(`${path.relative(distDir, file)} imports ${spec}`);
      else if (!spec.endsWith('.js'))
        bad.push(`${path.relative(distDir, file)} imports ${spec} without .js`);
      else visit(path.resolve(path.dirname(file), spec));
    }
  };
  visit(entry);
  return { files, bad };
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

describe('browser safety', () => {
  beforeAll(() => ensureRuntimeBuilt());

  it('loads the browser entry points and the core through relative .js imports only', () => {
    for (const entry of ['browser/index.js', 'browser/worker.js', 'index.js']) {
      const { files, bad } = graph(path.join(distDir, entry));
      expect(bad, entry).toEqual([]);
      expect(files.size).toBeGreaterThan(1);
      for (const f of files) expect(path.relative(distDir, f).startsWith('node')).toBe(false);
    }
  });

  it('keeps node: imports inside src/node/', () => {
    const offenders = sourceFiles(path.join(packageDir, 'src'))
      .filter((f) => !f.includes(`${path.sep}src${path.sep}node${path.sep}`))
      .filter((f) => specifiers(f).some((s) => s.startsWith('node:')));
    expect(offenders).toEqual([]);
  });

  it('sees node: imports where they are (the check is not vacuous)', () => {
    expect(specifiers(path.join(packageDir, 'src', 'node', 'node-sandbox.ts'))).toContain(
      'node:worker_threads',
    );
  });
});
