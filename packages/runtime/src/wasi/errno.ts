/**
 * @module WASI preview1 error numbers, and the exception that carries one out of a
 * system call implementation.
 *
 * System calls are written as straight-line code that throws `WasiError` on the first
 * problem; the dispatcher in `preview1.ts` turns it into the returned errno.
 */

/** The errno values of wasi_snapshot_preview1 that this implementation returns. */
export const Errno = {
  SUCCESS: 0,
  TOOBIG: 1,
  ACCES: 2,
  AGAIN: 6,
  BADF: 8,
  BUSY: 10,
  EXIST: 20,
  FAULT: 21,
  FBIG: 22,
  ILSEQ: 25,
  INVAL: 28,
  IO: 29,
  ISDIR: 31,
  LOOP: 32,
  MFILE: 33,
  MLINK: 34,
  NAMETOOLONG: 37,
  NOENT: 44,
  NOMEM: 48,
  NOSPC: 51,
  NOSYS: 52,
  NOTDIR: 54,
  NOTEMPTY: 55,
  NOTSOCK: 57,
  NOTSUP: 58,
  NOTTY: 59,
  OVERFLOW: 61,
  PERM: 63,
  PIPE: 64,
  ROFS: 69,
  SPIPE: 70,
  XDEV: 75,
  NOTCAPABLE: 76,
} as const;

/** Thrown inside a system call to return `errno` to the guest. */
export class WasiError extends Error {
  readonly errno: number;
  constructor(errno: number) {
    super(`errno ${errno}`);
    this.errno = errno;
  }
}

/** Shorthand for `throw new WasiError(errno)` in expression position. */
export function fail(errno: number): never {
  throw new WasiError(errno);
}
