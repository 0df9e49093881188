import { describe, expect, it } from 'vitest';
import { buildTree, changedFiles, DirNode, FileNode, FsContext, listFiles } from './memfs.js';

describe('memfs', () => {
  it('builds nested directories from relative paths', () => {
    const root = buildTree(new FsContext(() => 0n), { 'x/y/z.bin': Uint8Array.of(9) });
    const y = (root.get('x') as DirNode).get('y') as DirNode;
    expect((y.get('z.bin') as FileNode).contents()).toEqual(Uint8Array.of(9));
    expect(y.parent.parent).toBe(root);
    expect(root.parent).toBe(root);
  });

  it('copies input bytes on first write and never modifies the caller’s buffer', () => {
    const input = Uint8Array.of(1, 2, 3);
    const root = buildTree(new FsContext(() => 0n), { f: input });
    const file = root.get('f') as FileNode;
    expect(file.writeAt(1, Uint8Array.of(7, 7, 7))).toBe(1);
    expect(file.contents()).toEqual(Uint8Array.of(1, 7, 7, 7));
    expect(input).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('zero-fills gaps and reports growth', () => {
    const file = new FileNode(new FsContext(() => 0n));
    expect(file.writeAt(4, Uint8Array.of(1))).toBe(5);
    expect(file.contents()).toEqual(Uint8Array.of(0, 0, 0, 0, 1));
    expect(file.resize(2)).toBe(0);
    expect(file.resize(3)).toBe(1);
    expect(file.contents()).toEqual(Uint8Array.of(0, 0, 0));
  });

  it('returns only new or written files as changed', () => {
    const fs = new FsContext(() => 0n);
    const root = buildTree(fs, { 'same.txt': Uint8Array.of(1), 'edit.txt': Uint8Array.of(2) });
    const original = listFiles(root);
    (root.get('edit.txt') as FileNode).writeAt(0, Uint8Array.of(3));
    const sub = new DirNode(fs, root);
    root.link('out', sub);
    sub.link('new.txt', new FileNode(fs, Uint8Array.of(4)));
    const changed = changedFiles(root, original);
    expect(Object.keys(changed).sort()).toEqual(['edit.txt', 'out/new.txt']);
    expect(changed['edit.txt']).toEqual(Uint8Array.of(3));
  });
});
