import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

/** Every source file `entry` reaches through relative imports, `#content-hash` as a browser resolves it. */
function reachable(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(/from\s+['"]([^'"]+)['"]/g)) {
      const spec = m[1] as string;
      if (spec === '#content-hash') visit(join(SRC, 'content-hash-browser.ts'));
      else if (spec.startsWith('.')) visit(join(dirname(file), spec.replace(/\.js$/, '.ts')));
    }
  };
  visit(join(SRC, entry));
  return [...seen];
}

describe('@anygrid/agent/browser', () => {
  it('reaches no node: module, no Node-only package and no Buffer, so the volunteer page can bundle it', () => {
    const files = reachable('browser.ts');
    expect(files.map((f) => relative(SRC, f))).toContain('coordinator-client.ts');
    const offenders = files.filter((file) => {
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      const valueImports = code.replace(/import\s+type[^;]+;/g, '');
      return /from\s+['"](node:|ws['"]|pino['"])|\bBuffer\./.test(valueImports);
    });
    expect(offenders.map((f) => relative(SRC, f))).toEqual([]);
  });
});
