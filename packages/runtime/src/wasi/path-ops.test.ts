import { describe, expect, it } from 'vitest';
import { syscallHarness } from '../../test/syscall-harness.js';
import { DIR_RIGHTS, FILE_RIGHTS, LookupFlags, OFlags } from './abi.js';
import { Errno } from './errno.js';
import { type DirNode, FileNode } from './memfs.js';

const bytes = (s: string) => new TextEncoder().encode(s);

function setup(files: Record<string, Uint8Array> = {}) {
  const h = syscallHarness(files);
  const open = (path: string, oflags = 0, rights = FILE_RIGHTS, dirflags = 0): [number, number] => {
    const [p, l] = h.str(path);
    const fdPtr = h.alloc(4);
    const errno = h.call.path_open?.(3, dirflags, p, l, oflags, rights, rights, 0, fdPtr) as number;
    return [errno, h.u32(fdPtr)];
  };
  const path = (name: string, ...paths: string[]) => {
    const args = paths.flatMap((s) => h.str(s));
    return (h.call[name] as (...a: number[]) => number)(3, ...args);
  };
  return { h, open, path };
}

describe('path operations', () => {
  it('creates with O_CREAT, refuses O_CREAT|O_EXCL on an existing file, truncates with O_TRUNC', () => {
    const { h, open } = setup({ 'a.txt': bytes('hello') });
    expect(open('new.txt', OFlags.CREAT)[0]).toBe(Errno.SUCCESS);
    expect(h.root.get('new.txt')).toBeInstanceOf(FileNode);
    expect(open('a.txt', OFlags.CREAT | OFlags.EXCL)[0]).toBe(Errno.EXIST);
    expect(open('a.txt', OFlags.TRUNC)[0]).toBe(Errno.SUCCESS);
    expect((h.root.get('a.txt') as FileNode).size).toBe(0);
  });

  it('refuses to open a directory for writing and a file as a directory', () => {
    const { open } = setup({ 'd/x': bytes('x'), f: bytes('') });
    expect(open('d', 0, FILE_RIGHTS)[0]).toBe(Errno.ISDIR);
    expect(open('d', OFlags.DIRECTORY, DIR_RIGHTS)[0]).toBe(Errno.SUCCESS);
    expect(open('f', OFlags.DIRECTORY, DIR_RIGHTS)[0]).toBe(Errno.NOTDIR);
    expect(open('f/', 0)[0]).toBe(Errno.NOTDIR);
  });

  it('shares one inode between hard links', () => {
    const { h, path } = setup({ 'a.txt': bytes('shared') });
    const [op, ol] = h.str('a.txt');
    const [np, nl] = h.str('b.txt');
    expect(h.call.path_link?.(3, 0, op, ol, 3, np, nl)).toBe(Errno.SUCCESS);
    const a = h.root.get('a.txt') as FileNode;
    expect(h.root.get('b.txt')).toBe(a);
    expect(a.nlink).toBe(2);
    expect(path('path_unlink_file', 'a.txt')).toBe(Errno.SUCCESS);
    expect((h.root.get('b.txt') as FileNode).contents()).toEqual(bytes('shared'));
  });

  it('renames files over files, refuses a directory into itself and a file over a directory', () => {
    const { h } = setup({ 'a.txt': bytes('A'), 'b.txt': bytes('B'), 'd/e/f': bytes('') });
    const rename = (from: string, to: string) => {
      const [fp, fl] = h.str(from);
      const [tp, tl] = h.str(to);
      return h.call.path_rename?.(3, fp, fl, 3, tp, tl);
    };
    expect(rename('a.txt', 'b.txt')).toBe(Errno.SUCCESS);
    expect((h.root.get('b.txt') as FileNode).contents()).toEqual(bytes('A'));
    expect(h.root.get('a.txt')).toBeUndefined();
    expect(rename('d', 'd/e/inside')).toBe(Errno.INVAL);
    expect(rename('b.txt', 'd')).toBe(Errno.ISDIR);
    expect(rename('d/e', 'moved')).toBe(Errno.SUCCESS);
    expect((h.root.get('moved') as DirNode).parent).toBe(h.root);
  });

  it('refuses absolute symlink targets and never follows a link out of the directory', () => {
    const { h, open } = setup({ 'in.txt': bytes('in') });
    const link = (target: string, name: string) => {
      const [tp, tl] = h.str(target);
      const [np, nl] = h.str(name);
      return h.call.path_symlink?.(tp, tl, 3, np, nl);
    };
    expect(link('/etc/passwd', 'abs')).toBe(Errno.NOTCAPABLE);
    expect(link('../../etc/passwd', 'up')).toBe(Errno.SUCCESS);
    expect(open('up', 0, FILE_RIGHTS, LookupFlags.SYMLINK_FOLLOW)[0]).toBe(Errno.NOTCAPABLE);
    expect(open('up', 0, FILE_RIGHTS, 0)[0]).toBe(Errno.LOOP);
    expect(link('in.txt', 'ok')).toBe(Errno.SUCCESS);
    expect(open('ok', 0, FILE_RIGHTS, LookupFlags.SYMLINK_FOLLOW)[0]).toBe(Errno.SUCCESS);
  });

  it('removes only empty directories, and files only with unlink', () => {
    const { path } = setup({ 'd/x': bytes('x'), f: bytes('') });
    expect(path('path_remove_directory', 'd')).toBe(Errno.NOTEMPTY);
    expect(path('path_unlink_file', 'd')).toBe(Errno.ISDIR);
    expect(path('path_remove_directory', 'f')).toBe(Errno.NOTDIR);
    expect(path('path_unlink_file', 'd/x')).toBe(Errno.SUCCESS);
    expect(path('path_remove_directory', 'd')).toBe(Errno.SUCCESS);
    expect(path('path_unlink_file', 'missing')).toBe(Errno.NOENT);
  });

  it('counts new entries against the output cap', () => {
    const h = syscallHarness({}, 1000);
    let errno = 0;
    let created = 0;
    while (errno === 0 && created < 100) {
      const [p, l] = h.str(`dir${created}`);
      try {
        errno = h.call.path_create_directory?.(3, p, l) as number;
      } catch (error) {
        expect((error as { code?: string }).code).toBe('output_limit');
        break;
      }
      created++;
    }
    expect(created).toBeGreaterThan(3);
    expect(created).toBeLessThan(10);
  });
});
