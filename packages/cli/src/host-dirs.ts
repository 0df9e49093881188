/**
 * @module
 * Mapping host directories into a local run (`anygrid run --dir HOST::GUEST`): reading a
 * host directory into the sandbox's in-memory form (relative path → bytes) and writing the
 * files a run created or changed back. Names that would leave the host directory are
 * refused.
 */

import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { usageError } from './cli-error.js';
import { safeRelativePath } from './result-files.js';

/** One `--dir` mapping. */
export interface DirMapping {
  readonly host: string;
  readonly guest: string;
}

/** Parses `HOST::GUEST` (or `HOST`, mounted at `/`). */
export function parseDirMapping(value: string): DirMapping {
  const sep = value.lastIndexOf('::');
  const host = sep === -1 ? value : value.slice(0, sep);
  const guestRaw = sep === -1 ? '/' : value.slice(sep + 2);
  const guest = posix
    .normalize(guestRaw.startsWith('/') ? guestRaw : `/${guestRaw}`)
    .replace(/(.)\/$/, '$1');
  if (!host || guest.split('/').includes('..')) {
    throw usageError(`--dir ${value}: expected HOST_DIR::GUEST_DIR, e.g. data::/data`, 'run');
  }
  return { host, guest };
}

/** Every regular file under `dir`, keyed by its relative path with `/` separators. */
export async function readHostDir(dir: string): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(dir, rel), { withFileTypes: true }).catch((err) => {
      if ((err as { code?: string }).code === 'ENOENT' && rel === '') return [];
      throw err;
    });
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(child);
      else if (e.isFile()) files[child] = new Uint8Array(await readFile(join(dir, child)));
    }
  };
  await walk('');
  return files;
}

/** Writes changed files back under `dir`; returns the names written and those refused. */
export async function writeHostDir(
  dir: string,
  files: Readonly<Record<string, Uint8Array>>,
): Promise<{ written: string[]; refused: string[] }> {
  const written: string[] = [];
  const refused: string[] = [];
  for (const [name, bytes] of Object.entries(files)) {
    const rel = safeRelativePath(name);
    if (rel === undefined) {
      refused.push(name);
      continue;
    }
    const path = join(dir, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
    written.push(name);
  }
  return { written, refused };
}
