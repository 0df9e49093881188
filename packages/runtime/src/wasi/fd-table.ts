/**
 * @module The guest's file descriptors: what each number refers to, with its rights,
 * flags and (for files) its position.
 *
 * Numbers are allocated lowest-free-first from 3 upwards, as POSIX does, so a program
 * that closes and reopens files sees the numbers it expects. The standard streams are
 * ordinary entries and may be closed or renumbered by the guest.
 */
import { Errno, fail } from './errno.js';
import type { DirNode, FileNode } from './memfs.js';

interface FdBase {
  rightsBase: bigint;
  rightsInheriting: bigint;
  /** fdflags (APPEND, NONBLOCK, …). */
  flags: number;
}

/** An open regular file. */
export interface FileFd extends FdBase {
  readonly kind: 'file';
  readonly node: FileNode;
  position: number;
}

/** An open directory; `preopen` is set for the directories the run started with. */
export interface DirFd extends FdBase {
  readonly kind: 'dir';
  readonly node: DirNode;
  readonly preopen?: string;
}

/** A standard stream: stdin reads the run's input; stdout and stderr collect output. */
export interface StreamFd extends FdBase {
  readonly kind: 'stdin' | 'stdout' | 'stderr';
}

export type FdEntry = FileFd | DirFd | StreamFd;

/** The table of open descriptors. */
export class FdTable {
  private readonly entries: (FdEntry | undefined)[] = [];

  /** Closes everything (between runs). */
  clear(): void {
    this.entries.length = 0;
  }

  /** The entry for `fd`, or EBADF. */
  get(fd: number): FdEntry {
    const entry = this.entries[fd];
    if (entry === undefined) fail(Errno.BADF);
    return entry;
  }

  /** The entry for `fd` if it holds `right`; EBADF if closed, ENOTCAPABLE if the right is missing. */
  withRight(fd: number, right: bigint): FdEntry {
    const entry = this.get(fd);
    if ((entry.rightsBase & right) !== right) fail(Errno.NOTCAPABLE);
    return entry;
  }

  /** A directory entry holding `right`; ENOTDIR if `fd` is not a directory. */
  dir(fd: number, right: bigint): DirFd {
    const entry = this.get(fd);
    if (entry.kind !== 'dir') fail(Errno.NOTDIR);
    if ((entry.rightsBase & right) !== right) fail(Errno.NOTCAPABLE);
    return entry;
  }

  /** Puts `entry` at `fd` (used for the initial stdio and preopens). */
  set(fd: number, entry: FdEntry): void {
    this.entries[fd] = entry;
  }

  /** Puts `entry` at the lowest free number (never below 3) and returns it. */
  add(entry: FdEntry): number {
    let fd = 3;
    while (this.entries[fd] !== undefined) fd++;
    if (fd > 0xffff) fail(Errno.MFILE);
    this.entries[fd] = entry;
    return fd;
  }

  /** Closes `fd` and returns what it held. */
  close(fd: number): FdEntry {
    const entry = this.get(fd);
    this.entries[fd] = undefined;
    return entry;
  }

  /** Moves `from` onto `to`, closing whatever `to` held; both must be open. */
  renumber(from: number, to: number): void {
    const entry = this.get(from);
    this.get(to);
    this.entries[to] = entry;
    if (from !== to) this.entries[from] = undefined;
  }
}
