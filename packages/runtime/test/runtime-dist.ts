/**
 * @module Makes sure the runtime's `dist/` is built before a test uses it: worker
 * entry points must be compiled JavaScript, and the browser loads `dist/` as is.
 * `tsc -b` is incremental, so this costs about a second when nothing changed.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/runtime */
export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The repository root (two levels above the package). */
export const repoRoot = path.resolve(packageDir, '..', '..');
/** packages/runtime/dist */
export const distDir = path.join(packageDir, 'dist');

let built = false;

/** Builds packages/runtime with `tsc -b` once per test process. */
export function ensureRuntimeBuilt(): void {
  if (built) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', packageDir], { stdio: 'inherit' });
  built = true;
}
