import { describe, expect, it } from 'vitest';
import { syscallHarness } from '../../test/syscall-harness.js';
import { DIR_RIGHTS, OFlags } from './abi.js';
import { Errno } from './errno.js';

/** Reads one fd_readdir batch into a 200-byte buffer; returns names and the last d_next. */
function readBatch(h: ReturnType<typeof syscallHarness>, fd: number, cookie: bigint) {
  const buf = h.alloc(200);
  const used = h.alloc(4);
  expect(h.call.fd_readdir?.(fd, buf, 200, cookie, used)).toBe(Errno.SUCCESS);
  const view = new DataView(h.memory.buffer);
  const names: string[] = [];
  let at = 0;
  let last = cookie;
  const n = h.u32(used);
  while (at + 24 <= n) {
    const len = view.getUint32(buf + at + 16, true);
    if (at + 24 + len > n) break;
    names.push(new TextDecoder().decode(new Uint8Array(h.memory.buffer, buf + at + 24, len)));
    last = view.getBigUint64(buf + at, true);
    at += 24 + len;
  }
  return { names, last, full: n === 200 };
}

describe('fd_readdir', () => {
  it('lists everything across small buffers using cookies', () => {
    const files = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`file-${i}.txt`, new Uint8Array(1)]),
    );
    const h = syscallHarness(files);
    const seen: string[] = [];
    let cookie = 0n;
    for (;;) {
      const batch = readBatch(h, 3, cookie);
      seen.push(...batch.names);
      if (!batch.full) break;
      cookie = batch.last;
    }
    expect(seen.sort()).toEqual(['.', '..', ...Object.keys(files)].sort());
  });

  it('skips nothing when the program deletes what it has read before continuing (rm -rf)', () => {
    const files = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`tmp/f${i}`, new Uint8Array(1)]),
    );
    const h = syscallHarness(files);
    const [tmp, tmpLen] = h.str('tmp');
    const fdPtr = h.alloc(4);
    expect(
      h.call.path_open?.(3, 0, tmp, tmpLen, OFlags.DIRECTORY, DIR_RIGHTS, DIR_RIGHTS, 0, fdPtr),
    ).toBe(Errno.SUCCESS);
    const dirFd = h.u32(fdPtr);
    let cookie = 0n;
    for (;;) {
      const batch = readBatch(h, dirFd, cookie);
      for (const name of batch.names) {
        if (name === '.' || name === '..') continue;
        const [p, l] = h.str(name);
        expect(h.call.path_unlink_file?.(dirFd, p, l)).toBe(Errno.SUCCESS);
      }
      if (!batch.full) break;
      cookie = batch.last;
    }
    expect(h.call.path_remove_directory?.(3, tmp, tmpLen)).toBe(Errno.SUCCESS);
    expect(h.root.get('tmp')).toBeUndefined();
  });

  it('refuses a file descriptor that is not a directory', () => {
    const h = syscallHarness();
    expect(h.call.fd_readdir?.(1, h.alloc(64), 64, 0n, h.alloc(4))).toBe(Errno.NOTDIR);
    expect(h.call.fd_readdir?.(99, h.alloc(64), 64, 0n, h.alloc(4))).toBe(Errno.BADF);
  });
});
