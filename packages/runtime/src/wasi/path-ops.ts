/**
 * @module The path_* system calls of wasi_snapshot_preview1: open, create, link,
 * rename, remove, stat and symlinks, all resolved inside a directory descriptor.
 *
 * Error choices follow Linux as wasmtime reports them (EISDIR for unlinking a
 * directory, ENOTDIR for a trailing slash on a file, ELOOP for opening a symlink
 * without following it), because that is what the conformance suite expects.
 */
import { DIR_RIGHTS, FdFlags, FILE_RIGHTS, LookupFlags, OFlags, Rights } from './abi.js';
import { Errno, fail } from './errno.js';
import { truncated } from './fd-ops.js';
import type { FdEntry } from './fd-table.js';
import { DirNode, FileNode, type Node, SymlinkNode } from './memfs.js';
import { type Resolved, resolvePath } from './path-resolve.js';
import { setTimes, writeFilestat } from './stat-layout.js';
import type { WasiContext } from './wasi-context.js';

/**
 * Bytes charged against the output cap for each new directory entry: inodes live on
 * the host's heap too, and without a charge a guest could create millions of empty
 * files or directories and exhaust it without writing a byte.
 */
const ENTRY_COST = 128;

function isAncestor(dir: DirNode, node: DirNode): boolean {
  for (let d = node; ; d = d.parent) {
    if (d === dir) return true;
    if (d.parent === d) return false;
  }
}

function removeEntry(r: Resolved): void {
  r.parent.unlink(r.name);
  if (r.node) r.node.nlink = Math.max(0, r.node.nlink - 1);
}

/** Builds the path_* imports over `ctx`. */
export function pathImports(ctx: WasiContext) {
  const { fds, memory } = ctx;
  const now = () => ctx.clock.realtime();
  const resolveAt = (
    fd: number,
    right: bigint,
    ptr: number,
    len: number,
    follow: boolean,
  ): Resolved => resolvePath(fds.dir(fd, right).node, memory.string(ptr, len), follow);

  /** The node a `path_filestat_*` call names: it must exist, and be a directory if written with a trailing slash. */
  const existingAt = (fd: number, right: bigint, flags: number, ptr: number, len: number): Node => {
    const r = resolveAt(fd, right, ptr, len, (flags & LookupFlags.SYMLINK_FOLLOW) !== 0);
    if (r.node === undefined) fail(Errno.NOENT);
    if (r.trailingSlash && !(r.node instanceof DirNode)) fail(Errno.NOTDIR);
    return r.node;
  };

  const open = (
    fd: number,
    dirflags: number,
    pathPtr: number,
    pathLen: number,
    oflags: number,
    base: bigint,
    inheriting: bigint,
    fdflags: number,
  ): FdEntry => {
    const dirFd = fds.dir(fd, Rights.PATH_OPEN);
    const r = resolvePath(
      dirFd.node,
      memory.string(pathPtr, pathLen),
      (dirflags & LookupFlags.SYMLINK_FOLLOW) !== 0,
    );
    let node = r.node;
    if (node === undefined) {
      if (!(oflags & OFlags.CREAT)) fail(Errno.NOENT);
      if (oflags & OFlags.DIRECTORY || r.trailingSlash) fail(Errno.ISDIR);
      if ((dirFd.rightsBase & Rights.PATH_CREATE_FILE) === 0n) fail(Errno.NOTCAPABLE);
      node = new FileNode(r.parent.fs);
      ctx.chargeOutput(ENTRY_COST + r.name.length);
      r.parent.link(r.name, node);
    } else {
      if (oflags & OFlags.CREAT && oflags & OFlags.EXCL) fail(Errno.EXIST);
      if (node instanceof SymlinkNode) fail(Errno.LOOP);
      if (!(node instanceof DirNode) && (oflags & OFlags.DIRECTORY || r.trailingSlash))
        fail(Errno.NOTDIR);
    }
    const rightsBase = base & dirFd.rightsInheriting;
    const rightsInheriting = inheriting & dirFd.rightsInheriting;
    if (node instanceof DirNode) {
      // As open(2): a directory cannot be opened for writing or truncated.
      if (oflags & OFlags.TRUNC || base & Rights.FD_WRITE) fail(Errno.ISDIR);
      return {
        kind: 'dir',
        node,
        rightsBase: rightsBase & DIR_RIGHTS,
        rightsInheriting,
        flags: fdflags,
      };
    }
    if (oflags & OFlags.DIRECTORY) fail(Errno.NOTDIR);
    if (oflags & OFlags.TRUNC) {
      if ((dirFd.rightsBase & Rights.PATH_FILESTAT_SET_SIZE) === 0n) fail(Errno.NOTCAPABLE);
      truncated(ctx, node);
    }
    return {
      kind: 'file',
      node,
      position: 0,
      rightsBase: rightsBase & FILE_RIGHTS,
      rightsInheriting,
      flags:
        fdflags &
        (FdFlags.APPEND | FdFlags.NONBLOCK | FdFlags.DSYNC | FdFlags.RSYNC | FdFlags.SYNC),
    };
  };

  return {
    path_open(
      fd: number,
      dirflags: number,
      pathPtr: number,
      pathLen: number,
      oflags: number,
      base: bigint,
      inheriting: bigint,
      fdflags: number,
      fdPtr: number,
    ): number {
      memory.check(fdPtr, 4);
      const entry = open(fd, dirflags, pathPtr, pathLen, oflags, base, inheriting, fdflags);
      memory.setU32(fdPtr, fds.add(entry));
      return Errno.SUCCESS;
    },
    path_create_directory(fd: number, ptr: number, len: number): number {
      const r = resolveAt(fd, Rights.PATH_CREATE_DIRECTORY, ptr, len, false);
      if (r.node !== undefined) fail(Errno.EXIST);
      ctx.chargeOutput(ENTRY_COST + r.name.length);
      r.parent.link(r.name, new DirNode(r.parent.fs, r.parent));
      return Errno.SUCCESS;
    },
    path_filestat_get(fd: number, flags: number, ptr: number, len: number, buf: number): number {
      const node = existingAt(fd, Rights.PATH_FILESTAT_GET, flags, ptr, len);
      writeFilestat(memory, buf, node, 0);
      return Errno.SUCCESS;
    },
    path_filestat_set_times(
      fd: number,
      flags: number,
      ptr: number,
      len: number,
      atim: bigint,
      mtim: bigint,
      fstFlags: number,
    ): number {
      const node = existingAt(fd, Rights.PATH_FILESTAT_SET_TIMES, flags, ptr, len);
      setTimes(node, atim, mtim, fstFlags, now);
      return Errno.SUCCESS;
    },
    path_link(
      oldFd: number,
      oldFlags: number,
      oldPtr: number,
      oldLen: number,
      newFd: number,
      newPtr: number,
      newLen: number,
    ): number {
      const src = resolveAt(
        oldFd,
        Rights.PATH_LINK_SOURCE,
        oldPtr,
        oldLen,
        (oldFlags & LookupFlags.SYMLINK_FOLLOW) !== 0,
      );
      const dst = resolveAt(newFd, Rights.PATH_LINK_TARGET, newPtr, newLen, false);
      if (src.node === undefined) fail(Errno.NOENT);
      if (src.node instanceof DirNode) fail(Errno.PERM);
      if (src.trailingSlash) fail(Errno.NOTDIR);
      if (dst.node !== undefined) fail(Errno.EXIST);
      if (dst.trailingSlash) fail(Errno.NOENT);
      ctx.chargeOutput(ENTRY_COST + dst.name.length);
      dst.parent.link(dst.name, src.node);
      src.node.nlink++;
      return Errno.SUCCESS;
    },
    path_readlink(
      fd: number,
      ptr: number,
      len: number,
      buf: number,
      bufLen: number,
      usedPtr: number,
    ): number {
      const r = resolveAt(fd, Rights.PATH_READLINK, ptr, len, false);
      if (r.node === undefined) fail(Errno.NOENT);
      if (!(r.node instanceof SymlinkNode)) fail(Errno.INVAL);
      const target = new TextEncoder().encode(r.node.target);
      const n = Math.min(bufLen, target.length);
      memory.bytes(buf, n).set(target.subarray(0, n));
      memory.setU32(usedPtr, n);
      return Errno.SUCCESS;
    },
    path_remove_directory(fd: number, ptr: number, len: number): number {
      const r = resolveAt(fd, Rights.PATH_REMOVE_DIRECTORY, ptr, len, false);
      if (r.node === undefined) fail(Errno.NOENT);
      if (r.name === '.') fail(r.node === fds.dir(fd, 0n).node ? Errno.INVAL : Errno.NOTEMPTY);
      if (!(r.node instanceof DirNode)) fail(Errno.NOTDIR);
      if (r.node.size > 0) fail(Errno.NOTEMPTY);
      removeEntry(r);
      return Errno.SUCCESS;
    },
    path_rename(
      oldFd: number,
      oldPtr: number,
      oldLen: number,
      newFd: number,
      newPtr: number,
      newLen: number,
    ): number {
      const src = resolveAt(oldFd, Rights.PATH_RENAME_SOURCE, oldPtr, oldLen, false);
      const dst = resolveAt(newFd, Rights.PATH_RENAME_TARGET, newPtr, newLen, false);
      const node = src.node;
      if (node === undefined) fail(Errno.NOENT);
      if (src.name === '.' || dst.name === '.') fail(Errno.BUSY);
      if (node instanceof DirNode) {
        if (dst.node !== undefined && !(dst.node instanceof DirNode)) fail(Errno.NOTDIR);
        if (dst.node instanceof DirNode && dst.node !== node && dst.node.size > 0)
          fail(Errno.NOTEMPTY);
        if (isAncestor(node, dst.parent)) fail(Errno.INVAL);
      } else {
        if (src.trailingSlash || dst.trailingSlash) fail(Errno.NOTDIR);
        if (dst.node instanceof DirNode) fail(Errno.ISDIR);
      }
      if (dst.node === node) return Errno.SUCCESS;
      if (dst.node) removeEntry(dst);
      src.parent.unlink(src.name);
      dst.parent.link(dst.name, node);
      if (node instanceof DirNode) node.parent = dst.parent;
      else if (node instanceof FileNode) ctx.onFileWritten?.(node);
      return Errno.SUCCESS;
    },
    path_symlink(
      oldPtr: number,
      oldLen: number,
      fd: number,
      newPtr: number,
      newLen: number,
    ): number {
      const target = memory.string(oldPtr, oldLen);
      // As cap-std: an absolute target could never be followed here, and refusing it
      // keeps a guest from planting a link that a host tool might follow later.
      if (target.startsWith('/')) fail(Errno.NOTCAPABLE);
      const r = resolveAt(fd, Rights.PATH_SYMLINK, newPtr, newLen, false);
      if (r.node !== undefined) fail(Errno.EXIST);
      if (r.trailingSlash) fail(Errno.NOENT);
      ctx.chargeOutput(ENTRY_COST + r.name.length + target.length);
      r.parent.link(r.name, new SymlinkNode(r.parent.fs, target));
      return Errno.SUCCESS;
    },
    path_unlink_file(fd: number, ptr: number, len: number): number {
      const r = resolveAt(fd, Rights.PATH_UNLINK_FILE, ptr, len, false);
      if (r.node === undefined) fail(Errno.NOENT);
      if (r.node instanceof DirNode) fail(Errno.ISDIR);
      if (r.trailingSlash) fail(Errno.NOTDIR);
      removeEntry(r);
      return Errno.SUCCESS;
    },
  };
}
