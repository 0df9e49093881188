/**
 * @module The fd_* system calls of wasi_snapshot_preview1: reading, writing, seeking,
 * stat and flags on open descriptors, and directory listing with cookies.
 *
 * Output to stdout/stderr and file growth is charged against the run's output cap as
 * it happens, so an oversized write ends the run before the bytes are kept.
 */
import { Advice, FdFlags, Rights, Size, Whence } from './abi.js';
import { copyBytes } from './byte-sink.js';
import { Errno, fail } from './errno.js';
import type { FdEntry, FileFd } from './fd-table.js';
import type { DirNode, FileNode } from './memfs.js';
import { setTimes, writeFdstat, writeFilestat } from './stat-layout.js';
import { STDIO_FILE_TYPE, type WasiContext } from './wasi-context.js';

const encoder = new TextEncoder();
const MAX_FILE_SIZE = 2 ** 53;

function fileOf(entry: FdEntry): FileFd {
  if (entry.kind === 'file') return entry;
  if (entry.kind === 'dir') fail(Errno.ISDIR);
  fail(Errno.SPIPE);
}

function fileType(entry: FdEntry): number {
  return entry.kind === 'file' || entry.kind === 'dir' ? entry.node.fileType : STDIO_FILE_TYPE;
}

function toOffset(value: bigint): number {
  const n = BigInt.asIntN(64, value);
  if (n < 0n || n > BigInt(MAX_FILE_SIZE)) fail(Errno.INVAL);
  return Number(n);
}

/** Reads into the iovecs from `src` starting at `from`; returns bytes read. */
function readInto(
  ctx: WasiContext,
  iovs: number,
  count: number,
  src: Uint8Array,
  from: number,
): number {
  let pos = from;
  const u8 = ctx.memory.u8;
  ctx.memory.eachIovec(iovs, count, (buf, len) => {
    if (pos >= src.length) return false;
    const n = Math.min(len, src.length - pos);
    copyBytes(src, pos, n, u8, buf);
    pos += n;
    return true;
  });
  return pos - from;
}

/** Writes the iovecs to `file` at `position`; returns bytes written. */
function writeFile(
  ctx: WasiContext,
  file: FileNode,
  iovs: number,
  count: number,
  position: number,
): number {
  let pos = position;
  const u8 = ctx.memory.u8;
  ctx.memory.eachIovec(iovs, count, (buf, len) => {
    if (len === 0) return true;
    if (pos + len > MAX_FILE_SIZE) fail(Errno.FBIG);
    const growth = pos + len - file.size;
    if (growth > 0) {
      ctx.chargeOutput(growth);
      file.charged += growth;
    }
    file.writeAt(pos, u8, buf, len);
    pos += len;
    return true;
  });
  return pos - position;
}

/**
 * Fills `out` with dirents of `dir` after `cookie`, the last one cut off if it does not
 * fit (the guest then knows to retry with a larger buffer). Cookies: 1 after '.', 2
 * after '..', serial + 2 after an entry — stable while entries are removed.
 */
function writeDirents(out: Uint8Array, dir: DirNode, cookie: bigint): number {
  const header = new Uint8Array(Size.DIRENT);
  const hv = new DataView(header.buffer);
  let used = 0;
  const emit = (next: bigint, name: string, node: { ino: bigint; fileType: number }): boolean => {
    if (used >= out.length) return false;
    const nameBytes = encoder.encode(name);
    hv.setBigUint64(0, next, true);
    hv.setBigUint64(8, node.ino, true);
    hv.setUint32(16, nameBytes.length, true);
    hv.setUint32(20, node.fileType, true);
    const h = Math.min(Size.DIRENT, out.length - used);
    out.set(header.subarray(0, h), used);
    used += h;
    const n = Math.min(nameBytes.length, out.length - used);
    out.set(nameBytes.subarray(0, n), used);
    used += n;
    return true;
  };
  if (cookie < 1n && !emit(1n, '.', dir)) return used;
  if (cookie < 2n && !emit(2n, '..', dir.parent)) return used;
  for (const [name, node, serial] of dir.list()) {
    const next = BigInt(serial) + 2n;
    if (next > cookie && !emit(next, name, node)) break;
  }
  return used;
}

/** Empties `file`, giving the output its bytes had been charged back. */
export function truncated(ctx: WasiContext, file: FileNode): void {
  ctx.refundOutput(Math.min(file.charged, file.size));
  file.charged = 0;
  file.resize(0);
}

/** Builds the fd_* imports over `ctx`. */
export function fdImports(ctx: WasiContext) {
  const { fds, memory } = ctx;
  return {
    fd_advise(fd: number, _offset: bigint, _len: bigint, advice: number): number {
      const entry = fds.get(fd);
      if (entry.kind === 'dir') fail(Errno.BADF);
      if (advice > Advice.NOREUSE) fail(Errno.INVAL);
      return Errno.SUCCESS;
    },
    fd_allocate(fd: number, offset: bigint, len: bigint): number {
      const file = fileOf(fds.withRight(fd, Rights.FD_ALLOCATE));
      const end = toOffset(offset) + toOffset(len);
      if (end > MAX_FILE_SIZE) fail(Errno.FBIG);
      if (end > file.node.size) {
        ctx.chargeOutput(end - file.node.size);
        file.node.charged += end - file.node.size;
        file.node.resize(end);
      }
      return Errno.SUCCESS;
    },
    fd_close(fd: number): number {
      const entry = fds.close(fd);
      if (ctx.onFileWritten !== undefined && entry.kind === 'file') ctx.onFileWritten(entry.node);
      return Errno.SUCCESS;
    },
    fd_datasync(fd: number): number {
      const entry = fds.get(fd);
      if (entry.kind === 'dir') fail(Errno.BADF);
      return Errno.SUCCESS;
    },
    fd_sync(fd: number): number {
      fds.get(fd);
      return Errno.SUCCESS;
    },
    fd_fdstat_get(fd: number, ptr: number): number {
      const entry = fds.get(fd);
      writeFdstat(
        memory,
        ptr,
        fileType(entry),
        entry.flags,
        entry.rightsBase,
        entry.rightsInheriting,
      );
      return Errno.SUCCESS;
    },
    fd_fdstat_set_flags(fd: number, flags: number): number {
      const entry = fds.get(fd);
      if (flags & ~0x1f) fail(Errno.INVAL);
      entry.flags =
        flags & (FdFlags.APPEND | FdFlags.NONBLOCK | FdFlags.DSYNC | FdFlags.RSYNC | FdFlags.SYNC);
      return Errno.SUCCESS;
    },
    fd_fdstat_set_rights(fd: number, base: bigint, inheriting: bigint): number {
      const entry = fds.get(fd);
      if ((base & ~entry.rightsBase) !== 0n || (inheriting & ~entry.rightsInheriting) !== 0n)
        fail(Errno.NOTCAPABLE);
      entry.rightsBase = base;
      entry.rightsInheriting = inheriting;
      return Errno.SUCCESS;
    },
    fd_filestat_get(fd: number, ptr: number): number {
      const entry = fds.get(fd);
      const node = entry.kind === 'file' || entry.kind === 'dir' ? entry.node : undefined;
      writeFilestat(memory, ptr, node, STDIO_FILE_TYPE);
      return Errno.SUCCESS;
    },
    fd_filestat_set_size(fd: number, size: bigint): number {
      const entry = fds.get(fd);
      if (entry.kind === 'dir') fail(Errno.BADF);
      const file = fileOf(entry);
      const n = toOffset(size);
      if (n > file.node.size) {
        ctx.chargeOutput(n - file.node.size);
        file.node.charged += n - file.node.size;
      }
      if (n === 0) truncated(ctx, file.node);
      else file.node.resize(n);
      return Errno.SUCCESS;
    },
    fd_filestat_set_times(fd: number, atim: bigint, mtim: bigint, fstFlags: number): number {
      const entry = fds.get(fd);
      if (entry.kind !== 'file' && entry.kind !== 'dir') return Errno.SUCCESS;
      setTimes(entry.node, atim, mtim, fstFlags, () => ctx.clock.realtime());
      return Errno.SUCCESS;
    },
    fd_pread(fd: number, iovs: number, count: number, offset: bigint, nreadPtr: number): number {
      const entry = fds.get(fd);
      if (entry.kind === 'dir') fail(Errno.ISDIR);
      const file = fileOf(entry);
      if ((entry.rightsBase & Rights.FD_READ) === 0n) fail(Errno.BADF);
      const n = readInto(ctx, iovs, count, file.node.contents(), toOffset(offset));
      memory.setU32(nreadPtr, n);
      return Errno.SUCCESS;
    },
    fd_pwrite(
      fd: number,
      iovs: number,
      count: number,
      offset: bigint,
      nwrittenPtr: number,
    ): number {
      const entry = fds.get(fd);
      if (entry.kind === 'dir') fail(Errno.ISDIR);
      const file = fileOf(entry);
      if ((entry.rightsBase & Rights.FD_WRITE) === 0n) fail(Errno.BADF);
      const at = file.flags & FdFlags.APPEND ? file.node.size : toOffset(offset);
      const n = writeFile(ctx, file.node, iovs, count, at);
      memory.setU32(nwrittenPtr, n);
      return Errno.SUCCESS;
    },
    fd_read(fd: number, iovs: number, count: number, nreadPtr: number): number {
      const entry = fds.get(fd);
      let n = 0;
      if (entry.kind === 'stdin') {
        n = readInto(ctx, iovs, count, ctx.stdin, ctx.stdinPosition);
        ctx.stdinPosition += n;
      } else if (entry.kind === 'file') {
        if ((entry.rightsBase & Rights.FD_READ) === 0n) fail(Errno.BADF);
        n = readInto(ctx, iovs, count, entry.node.contents(), entry.position);
        entry.position += n;
      } else if (entry.kind === 'dir') {
        fail(Errno.ISDIR);
      } else {
        fail(Errno.BADF);
      }
      memory.setU32(nreadPtr, n);
      return Errno.SUCCESS;
    },
    fd_write(fd: number, iovs: number, count: number, nwrittenPtr: number): number {
      const entry = fds.get(fd);
      let n = 0;
      if (entry.kind === 'stdout' || entry.kind === 'stderr') {
        const sink = entry.kind === 'stdout' ? ctx.stdout : ctx.stderr;
        const u8 = memory.u8;
        memory.eachIovec(iovs, count, (buf, len) => {
          ctx.chargeOutput(len);
          sink.append(u8, buf, len);
          n += len;
          return true;
        });
      } else if (entry.kind === 'file') {
        if ((entry.rightsBase & Rights.FD_WRITE) === 0n) fail(Errno.BADF);
        if (entry.flags & FdFlags.APPEND) entry.position = entry.node.size;
        n = writeFile(ctx, entry.node, iovs, count, entry.position);
        entry.position += n;
      } else if (entry.kind === 'dir') {
        fail(Errno.ISDIR);
      } else {
        fail(Errno.BADF);
      }
      memory.setU32(nwrittenPtr, n);
      return Errno.SUCCESS;
    },
    fd_prestat_get(fd: number, ptr: number): number {
      const entry = fds.get(fd);
      if (entry.kind !== 'dir' || entry.preopen === undefined) fail(Errno.BADF);
      memory.check(ptr, 8);
      memory.dv.setUint32(ptr, 0, true);
      memory.dv.setUint32(ptr + 4, encoder.encode(entry.preopen).length, true);
      return Errno.SUCCESS;
    },
    fd_prestat_dir_name(fd: number, ptr: number, len: number): number {
      const entry = fds.get(fd);
      if (entry.kind !== 'dir' || entry.preopen === undefined) fail(Errno.BADF);
      const name = encoder.encode(entry.preopen);
      if (len < name.length) fail(Errno.NAMETOOLONG);
      memory.bytes(ptr, name.length).set(name);
      return Errno.SUCCESS;
    },
    fd_readdir(fd: number, buf: number, len: number, cookie: bigint, bufusedPtr: number): number {
      const entry = fds.get(fd);
      if (entry.kind !== 'dir') fail(Errno.NOTDIR);
      const used = writeDirents(memory.bytes(buf, len), entry.node, cookie);
      memory.setU32(bufusedPtr, used);
      return Errno.SUCCESS;
    },
    fd_renumber(from: number, to: number): number {
      fds.renumber(from, to);
      return Errno.SUCCESS;
    },
    fd_seek(fd: number, offset: bigint, whence: number, newOffsetPtr: number): number {
      const entry = fds.get(fd);
      if (entry.kind === 'dir') fail(Errno.BADF);
      if (entry.kind !== 'file') fail(Errno.SPIPE);
      const delta = BigInt.asIntN(64, offset);
      let base: bigint;
      if (whence === Whence.SET) base = 0n;
      else if (whence === Whence.CUR) base = BigInt(entry.position);
      else if (whence === Whence.END) base = BigInt(entry.node.size);
      else fail(Errno.INVAL);
      const next = base + delta;
      if (next < 0n || next > BigInt(MAX_FILE_SIZE)) fail(Errno.INVAL);
      entry.position = Number(next);
      memory.setU64(newOffsetPtr, next);
      return Errno.SUCCESS;
    },
    fd_tell(fd: number, ptr: number): number {
      const entry = fds.get(fd);
      if (entry.kind === 'dir') fail(Errno.BADF);
      if (entry.kind !== 'file') fail(Errno.SPIPE);
      memory.setU64(ptr, BigInt(entry.position));
      return Errno.SUCCESS;
    },
  };
}
