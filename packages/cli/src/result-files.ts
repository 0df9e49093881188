/**
 * @module
 * Where `anygrid results --out DIR` writes each result: `<index>.stdout`,
 * `<index>.stderr` (when not empty), output files as `<index>/<name>`, and for a task
 * without consensus each candidate's stdout as `<index>.candidate-<k>.stdout`. Output
 * names come from untrusted providers, so a name that would escape its directory is
 * refused even though the coordinator already checks them.
 */

import { isAbsolute, join, normalize, sep } from 'node:path';

/** Path of a result's stdout under `dir`. */
export function stdoutPath(dir: string, index: number): string {
  return join(dir, `${index}.stdout`);
}

/** Path of a result's stderr under `dir`. */
export function stderrPath(dir: string, index: number): string {
  return join(dir, `${index}.stderr`);
}

/** Path of the stdout of candidate `k` of a task that reached no consensus. */
export function candidatePath(dir: string, index: number, k: number): string {
  return join(dir, `${index}.candidate-${k}.stdout`);
}

/** Path of a result's output file under `dir`, or undefined when the name is unsafe. */
export function outputFilePath(dir: string, index: number, name: string): string | undefined {
  const rel = safeRelativePath(name);
  return rel === undefined ? undefined : join(dir, String(index), rel);
}

/** `name` normalized as a path that stays inside its directory, or undefined. */
export function safeRelativePath(name: string): string | undefined {
  if (!name || name.includes('\0') || name.includes('\\') || isAbsolute(name)) return undefined;
  const rel = normalize(name);
  if (rel === '.' || rel === '..' || rel.split(sep).includes('..')) return undefined;
  return rel;
}
