/**
 * @module
 * Bytes free to this agent where it keeps its cache and work (`statfs`: the blocks an
 * unprivileged user may still take), for the `freeDiskBytes` a host declares. A cache
 * directory not made yet is measured at its nearest existing parent, which is the file
 * system it will live on.
 */

import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';

/** Free bytes on the file system holding `dir` (default: the temporary directory); undefined when it cannot be read. */
export async function freeDiskBytes(dir: string = tmpdir()): Promise<number | undefined> {
  let at = resolve(dir);
  for (;;) {
    try {
      const s = await statfs(at);
      const free = Number(s.bavail) * Number(s.bsize);
      return Number.isSafeInteger(free) && free >= 0 ? free : undefined;
    } catch (error) {
      const parent = dirname(at);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === at) return undefined;
      at = parent;
    }
  }
}
