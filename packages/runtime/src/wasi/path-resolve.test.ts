import { describe, expect, it } from 'vitest';
import { Errno, WasiError } from './errno.js';
import { buildTree, type DirNode, FileNode, FsContext, SymlinkNode } from './memfs.js';
import { resolvePath } from './path-resolve.js';

function tree() {
  const fs = new FsContext(() => 0n);
  const root = buildTree(fs, { 'a.txt': new Uint8Array([1]), 'sub/b.txt': new Uint8Array([2]) });
  const sub = root.get('sub') as DirNode;
  sub.link('up', new SymlinkNode(fs, '../a.txt'));
  sub.link('out', new SymlinkNode(fs, '../../etc/passwd'));
  sub.link('abs', new SymlinkNode(fs, '/etc/passwd'));
  root.link('loop', new SymlinkNode(fs, 'loop'));
  return { root, sub };
}

const errnoOf = (f: () => unknown): number | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof WasiError) return e.errno;
    throw e;
  }
  return undefined;
};

describe('resolvePath', () => {
  it('finds nested files and reports their parent', () => {
    const { root, sub } = tree();
    const r = resolvePath(root, 'sub/./b.txt', false);
    expect(r.parent).toBe(sub);
    expect(r.name).toBe('b.txt');
    expect(r.node).toBeInstanceOf(FileNode);
  });

  it('follows intermediate and (when asked) final symlinks that stay inside', () => {
    const { root } = tree();
    expect(resolvePath(root, 'sub/up', true).node).toBe(root.get('a.txt'));
    expect(resolvePath(root, 'sub/up', false).node).toBeInstanceOf(SymlinkNode);
  });

  it('refuses to leave the base directory', () => {
    const { root, sub } = tree();
    expect(errnoOf(() => resolvePath(root, '../x', false))).toBe(Errno.NOTCAPABLE);
    expect(errnoOf(() => resolvePath(sub, '../a.txt', false))).toBe(Errno.NOTCAPABLE);
    expect(errnoOf(() => resolvePath(root, '/etc/passwd', false))).toBe(Errno.NOTCAPABLE);
    expect(errnoOf(() => resolvePath(root, 'sub/out', true))).toBe(Errno.NOTCAPABLE);
    expect(errnoOf(() => resolvePath(root, 'sub/abs', true))).toBe(Errno.NOTCAPABLE);
  });

  it('reports symlink loops, missing parents and files used as directories', () => {
    const { root } = tree();
    expect(errnoOf(() => resolvePath(root, 'loop', true))).toBe(Errno.LOOP);
    expect(errnoOf(() => resolvePath(root, 'nope/x', false))).toBe(Errno.NOENT);
    expect(errnoOf(() => resolvePath(root, 'a.txt/x', false))).toBe(Errno.NOTDIR);
    expect(errnoOf(() => resolvePath(root, '', false))).toBe(Errno.NOENT);
  });

  it('marks a trailing slash and resolves "." to the directory itself', () => {
    const { root } = tree();
    expect(resolvePath(root, 'sub/', false).trailingSlash).toBe(true);
    const dot = resolvePath(root, 'sub/..', false);
    expect(dot.node).toBe(root);
    expect(dot.name).toBe('.');
  });
});
