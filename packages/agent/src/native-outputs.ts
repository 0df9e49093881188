/**
 * @module
 * A native run's working directory before and after: the task's input files written in,
 * and the files the program created or changed read back out, as the wasm sandbox
 * reports them (`RunResult.dirs['/']`, keyed by relative path). What the program left
 * there is untrusted: only regular files count, read without following symbolic links
 * (a link to a host file must not turn into an output), directories are walked to a
 * bounded depth and count, and reading stops once the outputs pass the run's byte limit.
 */

import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Deepest directory nesting read back, and most entries looked at. */
const MAX_DEPTH = 32;
const MAX_ENTRIES = 100_000;

/** Writes input files (relative paths, already checked) into `dir`. */
export async function writeInputs(
  dir: string,
  files: Readonly<Record<string, Uint8Array>>,
): Promise<void> {
  for (const name in files) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, files[name] as Uint8Array, { mode: 0o644 });
  }
}

/** The files the run created or changed, or `tooLarge` once they pass `maxBytes` in all. */
export async function changedFiles(
  dir: string,
  inputs: Readonly<Record<string, Uint8Array>>,
  maxBytes: number,
): Promise<{ files: Record<string, Uint8Array>; bytes: number } | { tooLarge: true }> {
  const files: Record<string, Uint8Array> = {};
  const state = { bytes: 0, entries: 0 };
  const walk = async (rel: string, depth: number): Promise<boolean> => {
    if (depth > MAX_DEPTH) return true;
    const names = await readdir(rel === '' ? dir : join(dir, rel));
    for (const name of names.sort()) {
      if (++state.entries > MAX_ENTRIES) return true;
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const info = await lstat(join(dir, relPath));
      if (info.isDirectory()) {
        if (!(await walk(relPath, depth + 1))) return false;
        continue;
      }
      if (!info.isFile()) continue;
      if (state.bytes + info.size > maxBytes) return false;
      const bytes = await readNoFollow(join(dir, relPath));
      const before = inputs[relPath];
      if (before !== undefined && Buffer.from(before).equals(bytes)) continue;
      state.bytes += bytes.byteLength;
      if (state.bytes > maxBytes) return false;
      files[relPath] = bytes;
    }
    return true;
  };
  if (!(await walk('', 0))) return { tooLarge: true };
  return { files, bytes: state.bytes };
}

/** A file's bytes, refusing a symbolic link swapped in since it was looked at. */
async function readNoFollow(path: string): Promise<Buffer> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const info = await handle.stat();
    if (!info.isFile()) return Buffer.alloc(0);
    const buf = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(buf, 0, buf.byteLength, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
