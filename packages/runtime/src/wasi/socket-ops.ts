/**
 * @module The sock_* system calls. A sandboxed run has no network and no socket can
 * ever be open, so each reports EBADF for a closed descriptor and ENOTSOCK otherwise.
 * They exist so that modules importing them (most libc builds do) still instantiate.
 */
import { Errno } from './errno.js';
import type { WasiContext } from './wasi-context.js';

/** Builds the socket imports over `ctx`. */
export function socketImports(ctx: WasiContext) {
  const notSocket = (fd: number): number => {
    ctx.fds.get(fd);
    return Errno.NOTSOCK;
  };
  return {
    sock_accept: (fd: number, _flags: number, _fdPtr: number): number => notSocket(fd),
    sock_recv: (
      fd: number,
      _data: number,
      _dataLen: number,
      _flags: number,
      _lenPtr: number,
      _flagsPtr: number,
    ): number => notSocket(fd),
    sock_send: (
      fd: number,
      _data: number,
      _dataLen: number,
      _flags: number,
      _lenPtr: number,
    ): number => notSocket(fd),
    sock_shutdown: (fd: number, _how: number): number => notSocket(fd),
  };
}
