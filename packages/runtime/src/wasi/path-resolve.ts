/**
 * @module Resolves a guest path relative to a directory descriptor, capability-style.
 *
 * A path may never leave the directory it is resolved from: absolute paths, `..` above
 * the base and symbolic links pointing outside are refused with ENOTCAPABLE, as
 * wasmtime/cap-std do. Intermediate symlinks are always followed; the last component
 * is followed only when asked (SYMLINK_FOLLOW) or when the path ends in a slash.
 */
import { Errno, fail } from './errno.js';
import { DirNode, type Node, SymlinkNode } from './memfs.js';

const MAX_SYMLINKS = 32;

/** Where a path leads: the directory holding its last component, that name, and the inode if it exists. */
export interface Resolved {
  readonly parent: DirNode;
  /** The last component; '.' when the path names a directory through '.' or '..'. */
  readonly name: string;
  readonly node: Node | undefined;
  /** The path (or the last symlink followed) ended in '/': the result must be a directory. */
  readonly trailingSlash: boolean;
}

function split(path: string): string[] {
  return path.split('/').filter((c) => c !== '');
}

/** Resolves `path` from `base`, following the last symlink only if `followFinal`. */
export function resolvePath(base: DirNode, path: string, followFinal: boolean): Resolved {
  if (path.length === 0) fail(Errno.NOENT);
  if (path.includes('\0')) fail(Errno.INVAL);
  if (path.startsWith('/')) fail(Errno.NOTCAPABLE);
  const stack: DirNode[] = [base];
  let queue = split(path);
  let trailingSlash = path.endsWith('/');
  let links = 0;
  const expand = (link: SymlinkNode, rest: string[]) => {
    if (++links > MAX_SYMLINKS) fail(Errno.LOOP);
    if (link.target.length === 0) fail(Errno.NOENT);
    if (link.target.startsWith('/')) fail(Errno.NOTCAPABLE);
    if (rest.length === 0) trailingSlash = trailingSlash || link.target.endsWith('/');
    queue = [...split(link.target), ...rest];
  };
  while (queue.length > 0) {
    const comp = queue.shift() as string;
    const isLast = queue.length === 0;
    const cur = stack[stack.length - 1] as DirNode;
    if (comp === '.' || comp === '..') {
      if (comp === '..') {
        if (stack.length === 1) fail(Errno.NOTCAPABLE);
        stack.pop();
      }
      if (isLast) {
        const dir = stack[stack.length - 1] as DirNode;
        return { parent: dir, name: '.', node: dir, trailingSlash };
      }
      continue;
    }
    const node = cur.get(comp);
    if (isLast) {
      if (node instanceof SymlinkNode && (followFinal || trailingSlash)) {
        expand(node, []);
        continue;
      }
      return { parent: cur, name: comp, node, trailingSlash };
    }
    if (node === undefined) fail(Errno.NOENT);
    if (node instanceof SymlinkNode) {
      expand(node, queue);
      continue;
    }
    if (!(node instanceof DirNode)) fail(Errno.NOTDIR);
    stack.push(node);
  }
  const dir = stack[stack.length - 1] as DirNode;
  return { parent: dir, name: '.', node: dir, trailingSlash };
}
