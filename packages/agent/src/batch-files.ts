/**
 * @module
 * A directory of small JSON files, each holding a batch of records keyed by replica id,
 * kept only while one of its records is still live. It is how the agent keeps work on
 * disk across a restart without a database: one file per batch (a work answer, the
 * reports finished in one tick), so a host running thousands of tiny tasks a second
 * writes tens of files, not thousands.
 *
 * A file is written whole to a temporary name and renamed into place, so a process
 * killed at any instant leaves either the old state or the new, never half a file. No
 * fsync: what this guards against is the provider's process dying (SIGKILL, a crash, a
 * closed laptop lid), which leaves the page cache to the kernel; a power cut may lose the
 * last batches, which the coordinator then times out and reissues — late, never wrong.
 *
 * A record settled while others of its file are still live is named in an append-only
 * `released.log`, one line per settle ending in `;` (a line cut short by a crash lacks it
 * and is ignored: its records come back, which costs a duplicate, never a loss); reading
 * skips them. When the agent opens the directory, and whenever the log has grown past
 * `COMPACT_BYTES`, files mostly settled are rewritten with their live records only and
 * the log with only the ids still needed, so neither grows while the agent runs for days.
 *
 * Records are validated on reading (the directory is the provider's, but disks rot and
 * people edit files): a file that does not parse, or holds one record that does not, is
 * set aside as `*.corrupt` with a warning and the rest is read. Files are mode 600 and
 * the directory 700: other users of the machine need not see what the provider runs.
 */

import { appendFile, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';

/** What a batch file holds: a version, for a later format to tell itself apart. */
interface BatchFile {
  readonly version: 1;
  readonly records: readonly unknown[];
}

export interface BatchFilesOptions<T> {
  /** The directory; created (mode 700) when missing. */
  readonly dir: string;
  readonly logger: Logger;
  /** The record a stored value stands for, or undefined when it is not a valid one. */
  readonly parse: (value: unknown) => T | undefined;
  /** The replica a record is about: its key. */
  readonly idOf: (record: T) => number;
  /** Names this kind of record in log lines (`results`, `assignments`). */
  readonly what: string;
}

/** One file and how many of its records are still live. */
interface FileState {
  readonly name: string;
  live: number;
  /** Settles once the file is in place (or its write failed). */
  written: Promise<void>;
  /** Its records settled while others were live: named in the released log. */
  readonly released: number[];
}

const NAME = /^(\d{12})\.json$/;

/** Ids settled while their files still held live records. */
const RELEASED = 'released.log';

/** Size past which the released log is rewritten with only the ids of files still there. */
const COMPACT_BYTES = 256 * 1024;

/** Live records in batch files; a file is deleted once none of its records is live. */
export class BatchFiles<T> {
  private readonly fileOf = new Map<number, FileState>();
  private seq = 0;
  /** Appends to the released log, one after another. */
  private appending: Promise<void> = Promise.resolve();
  /** Bytes in the released log. */
  private logBytes = 0;
  /** Files with live records. */
  private readonly live = new Set<FileState>();

  private constructor(private readonly options: BatchFilesOptions<T>) {}

  /**
   * Opens the directory and reads back every valid record it holds, oldest file first;
   * those records are live until settled.
   */
  static async open<T>(
    options: BatchFilesOptions<T>,
  ): Promise<{ files: BatchFiles<T>; records: T[] }> {
    const files = new BatchFiles(options);
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    const records = await files.load();
    return { files, records };
  }

  /** Ids of live records. */
  ids(): number[] {
    return [...this.fileOf.keys()];
  }

  /** Whether a record for this replica is live. */
  has(id: number): boolean {
    return this.fileOf.has(id);
  }

  /**
   * Writes `records` as one new file; resolves once it is in place. A record whose id
   * is already live stays in its first file. Rejects when the file cannot be written
   * (the records are then not live).
   */
  async write(records: readonly T[]): Promise<void> {
    const { idOf, dir } = this.options;
    const fresh = records.filter((r) => !this.fileOf.has(idOf(r)));
    if (fresh.length === 0) return;
    this.seq += 1;
    const name = `${String(this.seq).padStart(12, '0')}.json`;
    const body: BatchFile = { version: 1, records: fresh };
    const state: FileState = {
      name,
      live: fresh.length,
      written: Promise.resolve(),
      released: [],
    };
    this.live.add(state);
    for (const r of fresh) this.fileOf.set(idOf(r), state);
    const written = writeAtomically(dir, name, JSON.stringify(body));
    state.written = written.catch(() => {});
    try {
      await written;
    } catch (error) {
      for (const r of fresh) if (this.fileOf.get(idOf(r)) === state) this.fileOf.delete(idOf(r));
      this.live.delete(state);
      throw error;
    }
  }

  /** These records are done with; a file none of whose records is live is deleted. */
  settle(ids: Iterable<number>): void {
    let released: number[] | undefined;
    for (const id of ids) {
      const state = this.fileOf.get(id);
      if (state === undefined) continue;
      this.fileOf.delete(id);
      state.live -= 1;
      if (state.live === 0) {
        this.live.delete(state);
        void state.written.then(() => this.remove(state.name));
        continue;
      }
      state.released.push(id);
      if (released) released.push(id);
      else released = [id];
    }
    if (released) this.release(released);
  }

  /** Notes ids settled within files still live, so reading skips them. */
  private release(ids: readonly number[]): void {
    const line = `${ids.join(',')};\n`;
    this.logBytes += line.length;
    const compact = this.logBytes > COMPACT_BYTES;
    if (compact) this.logBytes = 0;
    this.appending = this.appending
      .then(() =>
        compact
          ? this.rewriteReleased()
          : appendFile(join(this.options.dir, RELEASED), line, { mode: 0o600 }),
      )
      .catch((error: unknown) => {
        this.options.logger.warn({ err: error }, 'could not note released records');
      });
  }

  /** Resolves once every write begun so far has ended. */
  async idle(): Promise<void> {
    await Promise.all(new Set([...this.fileOf.values()].map((s) => s.written)));
    await this.appending;
  }

  private async remove(name: string): Promise<void> {
    try {
      await unlink(join(this.options.dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.options.logger.warn(
          { err: error, file: name },
          'could not delete a finished batch file',
        );
      }
    }
  }

  private async load(): Promise<T[]> {
    const { dir, logger, what } = this.options;
    const names = (await readdir(dir)).sort();
    const released = await this.readReleased();
    const records: T[] = [];
    for (const name of names) {
      // A temporary file is a write the process did not live to finish: never in place.
      if (name.endsWith('.tmp')) {
        await unlink(join(dir, name)).catch(() => {});
        continue;
      }
      const match = NAME.exec(name);
      if (!match) continue;
      this.seq = Math.max(this.seq, Number(match[1]));
      const read = await this.readFile(name);
      if (read === undefined) {
        logger.warn({ file: join(dir, name) }, `a saved ${what} file is corrupt; set aside`);
        await rename(join(dir, name), join(dir, `${name}.corrupt`)).catch(() => {});
        continue;
      }
      const state: FileState = { name, live: 0, written: Promise.resolve(), released: [] };
      for (const record of read) {
        const id = this.options.idOf(record);
        if (released.has(id)) {
          state.released.push(id);
          continue;
        }
        if (this.fileOf.has(id)) continue;
        this.fileOf.set(id, state);
        state.live += 1;
        records.push(record);
      }
      if (state.live === 0) await this.remove(name);
      else this.live.add(state);
    }
    // Ids of deleted files need no note any more.
    if (released.size > 0) await this.rewriteReleased();
    return records;
  }

  /**
   * Rewrites files mostly settled with their live records only, then the released log
   * with the ids the files still there need.
   */
  private async rewriteReleased(): Promise<void> {
    for (const state of [...this.live]) {
      if (state.released.length > state.live) await this.shrink(state);
    }
    let text = '';
    for (const state of this.live) {
      if (state.released.length > 0) text += `${state.released.join(',')};\n`;
    }
    this.logBytes = text.length;
    await writeAtomically(this.options.dir, RELEASED, text);
  }

  /** Rewrites one file without the records settled so far. */
  private async shrink(state: FileState): Promise<void> {
    await state.written;
    const dropped = new Set(state.released);
    const records = await this.readFile(state.name);
    if (records === undefined) return;
    const kept = records.filter((r) => !dropped.has(this.options.idOf(r)));
    const body: BatchFile = { version: 1, records: kept };
    try {
      await writeAtomically(this.options.dir, state.name, JSON.stringify(body));
    } catch (error) {
      this.options.logger.warn({ err: error, file: state.name }, 'could not shrink a batch file');
      return;
    }
    // Records settled meanwhile are still in the file: they stay noted.
    const still = state.released.filter((id) => !dropped.has(id));
    state.released.length = 0;
    state.released.push(...still);
    // Settled entirely meanwhile: the rename may have brought back a file just deleted.
    if (state.live === 0) await this.remove(state.name);
  }

  private async readReleased(): Promise<Set<number>> {
    const ids = new Set<number>();
    const text = await readFile(join(this.options.dir, RELEASED), 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (!line.endsWith(';')) continue;
      for (const id of line.slice(0, -1).split(',')) {
        const n = Number(id);
        if (Number.isSafeInteger(n) && n > 0) ids.add(n);
      }
    }
    return ids;
  }

  /** The file's records, or undefined when it or any record in it is not valid. */
  private async readFile(name: string): Promise<T[] | undefined> {
    let body: unknown;
    try {
      body = JSON.parse(await readFile(join(this.options.dir, name), 'utf8'));
    } catch {
      return undefined;
    }
    const file = body as Partial<BatchFile> | null;
    if (typeof file !== 'object' || file === null || file.version !== 1) return undefined;
    if (!Array.isArray(file.records)) return undefined;
    const records: T[] = [];
    for (const value of file.records) {
      const record = this.options.parse(value);
      if (record === undefined) return undefined;
      records.push(record);
    }
    return records;
  }
}

/** Writes `name` in `dir` whole or not at all: to a temporary name, then renamed. */
export async function writeAtomically(
  dir: string,
  name: string,
  data: string | Uint8Array,
): Promise<void> {
  const tmp = join(dir, `${name}.${process.pid}.tmp`);
  await writeFile(tmp, data, { mode: 0o600 });
  await rename(tmp, join(dir, name));
}
