/**
 * @module Writes `filestat` and `fdstat` structures into guest memory, and applies
 * `fst_flags` time updates — shared by the fd_* and path_* system calls.
 */
import { FstFlags, Size } from './abi.js';
import { Errno, fail } from './errno.js';
import type { GuestMemory } from './guest-memory.js';
import type { Node } from './memfs.js';

/** Writes a 64-byte filestat for `node` (or for a stream, when `node` is undefined). */
export function writeFilestat(
  mem: GuestMemory,
  ptr: number,
  node: Node | undefined,
  streamType: number,
): void {
  mem.check(ptr, Size.FILESTAT);
  const dv = mem.dv;
  dv.setBigUint64(ptr, 0n, true);
  dv.setBigUint64(ptr + 8, node?.ino ?? 0n, true);
  dv.setUint8(ptr + 16, node?.fileType ?? streamType);
  for (let i = 17; i < 24; i++) dv.setUint8(ptr + i, 0);
  dv.setBigUint64(ptr + 24, BigInt(node?.nlink ?? 1), true);
  dv.setBigUint64(ptr + 32, BigInt(node?.size ?? 0), true);
  dv.setBigUint64(ptr + 40, node?.atim ?? 0n, true);
  dv.setBigUint64(ptr + 48, node?.mtim ?? 0n, true);
  dv.setBigUint64(ptr + 56, node?.ctim ?? 0n, true);
}

/** Writes a 24-byte fdstat. */
export function writeFdstat(
  mem: GuestMemory,
  ptr: number,
  fileType: number,
  flags: number,
  base: bigint,
  inheriting: bigint,
): void {
  mem.check(ptr, Size.FDSTAT);
  const dv = mem.dv;
  dv.setUint8(ptr, fileType);
  dv.setUint8(ptr + 1, 0);
  dv.setUint16(ptr + 2, flags, true);
  dv.setUint32(ptr + 4, 0, true);
  dv.setBigUint64(ptr + 8, base, true);
  dv.setBigUint64(ptr + 16, inheriting, true);
}

/** Applies `fst_flags` to a node's times; EINVAL for unknown bits or a time given both explicitly and as "now". */
export function setTimes(
  node: Node,
  atim: bigint,
  mtim: bigint,
  fstFlags: number,
  now: () => bigint,
): void {
  if (fstFlags & ~0xf) fail(Errno.INVAL);
  if (fstFlags & FstFlags.ATIM && fstFlags & FstFlags.ATIM_NOW) fail(Errno.INVAL);
  if (fstFlags & FstFlags.MTIM && fstFlags & FstFlags.MTIM_NOW) fail(Errno.INVAL);
  const t = fstFlags & (FstFlags.ATIM_NOW | FstFlags.MTIM_NOW) ? now() : 0n;
  if (fstFlags & FstFlags.ATIM) node.atim = atim;
  if (fstFlags & FstFlags.ATIM_NOW) node.atim = t;
  if (fstFlags & FstFlags.MTIM) node.mtim = mtim;
  if (fstFlags & FstFlags.MTIM_NOW) node.mtim = t;
}
