/**
 * @module Hand-written guest modules for the sandbox tests: well-behaved ones (hello,
 * file writer, random bytes) and misbehaving ones (infinite loop, memory bomb, output
 * flood, trap, stack overflow, strange imports). Memory layout: iovec at 0, nwritten at
 * 8, an fd at 12, data from 64.
 */
import { buildModule, I32, I64, op } from './wasm-builder.js';

const P1 = 'wasi_snapshot_preview1';
const T = {
  void: { params: [], results: [] },
  fdWrite: { params: [I32, I32, I32, I32], results: [I32] },
  procExit: { params: [I32], results: [] },
  noArgsI32: { params: [], results: [I32] },
  twoI32: { params: [I32, I32], results: [I32] },
  threeI32: { params: [I32, I32, I32], results: [I32] },
  pathLink: { params: [I32, I32, I32, I32, I32, I32, I32], results: [I32] },
  pathOpen: { params: [I32, I32, I32, I32, I32, I64, I64, I32, I32], results: [I32] },
} as const;

/** Sets the iovec at 0 to (ptr, len). */
const iovec = (ptr: number, len: number) => [
  ...op.i32Const(0),
  ...op.i32Const(ptr),
  ...op.i32Store(0),
  ...op.i32Const(0),
  ...op.i32Const(len),
  ...op.i32Store(4),
];
/** fd_write(fd, iovec at 0, 1, nwritten at 8), result dropped; fd_write is function 0. */
const write = (fd: number[]) => [
  ...fd,
  ...op.i32Const(0),
  ...op.i32Const(1),
  ...op.i32Const(8),
  ...op.call(0),
  ...op.drop,
];

/** Prints `text` on stdout and returns from _start (exit 0). */
export function helloModule(text: string): Uint8Array {
  const len = new TextEncoder().encode(text).length;
  return buildModule({
    types: [T.fdWrite, T.void],
    imports: [{ module: P1, name: 'fd_write', type: 0 }],
    funcs: [{ type: 1, body: [...iovec(64, len), ...write(op.i32Const(1))] }],
    memory: { min: 1 },
    exportMemory: true,
    exports: { _start: 1 },
    data: [{ offset: 64, bytes: text }],
  });
}

/** Calls proc_exit(code). */
export function exitModule(code: number): Uint8Array {
  return buildModule({
    types: [T.procExit, T.void],
    imports: [{ module: P1, name: 'proc_exit', type: 0 }],
    funcs: [{ type: 1, body: [...op.i32Const(code), ...op.call(0)] }],
    memory: { min: 1 },
    exportMemory: true,
    exports: { _start: 1 },
  });
}

/** Spins forever without a system call. */
export function loopModule(): Uint8Array {
  return buildModule({
    types: [T.void],
    funcs: [{ type: 0, body: [...op.loop, ...op.br(0), ...op.end] }],
    memory: { min: 1 },
    exportMemory: true,
    exports: { _start: 0 },
  });
}

/** Executes `unreachable`. */
export function trapModule(): Uint8Array {
  return buildModule({
    types: [T.void],
    funcs: [{ type: 0, body: op.unreachable }],
    memory: { min: 1 },
    exportMemory: true,
    exports: { _start: 0 },
  });
}

/** Recurses without end. */
export function recursionModule(): Uint8Array {
  return buildModule({
    types: [T.void],
    funcs: [{ type: 0, body: op.call(0) }],
    memory: { min: 1 },
    exportMemory: true,
    exports: { _start: 0 },
  });
}

/** Grows memory 16 pages at a time until it fails, then traps or exits 3; memory declares no maximum. */
export function memoryBombModule(onFailure: 'trap' | 'exit'): Uint8Array {
  const fail = onFailure === 'trap' ? op.unreachable : [...op.i32Const(3), ...op.call(0)];
  return buildModule({
    types: [T.procExit, T.void],
    imports: [{ module: P1, name: 'proc_exit', type: 0 }],
    funcs: [
      {
        type: 1,
        body: [
          ...op.loop,
          ...op.i32Const(16),
          ...op.memoryGrow,
          ...op.i32Const(-1),
          ...op.i32Eq,
          ...op.if,
          ...fail,
          ...op.end,
          ...op.br(0),
          ...op.end,
        ],
      },
    ],
    memory: { min: 1 },
    exportMemory: true,
    exports: { _start: 1 },
  });
}

/** Writes 32 KiB to stdout forever. */
export function outputFloodModule(): Uint8Array {
  return buildModule({
    types: [T.fdWrite, T.void],
    imports: [{ module: P1, name: 'fd_write', type: 0 }],
    funcs: [
      {
        type: 1,
        body: [...op.loop, ...iovec(64, 32768), ...write(op.i32Const(1)), ...op.br(0), ...op.end],
      },
    ],
    memory: { min: 1 },
    exportMemory: true,
    exports: { _start: 1 },
  });
}

/**
 * Imports sock_accept, sock_shutdown, path_link twice, fd_write twice, a preview1 name
 * that does not exist and a function of another module; calls only the unknown preview1
 * one and exits with what it returned (ENOSYS = 52).
 */
export function oddImportsModule(): Uint8Array {
  return buildModule({
    types: [T.procExit, T.void, T.noArgsI32, T.twoI32, T.threeI32, T.pathLink, T.fdWrite],
    imports: [
      { module: P1, name: 'proc_exit', type: 0 },
      { module: P1, name: 'no_such_call', type: 2 },
      { module: P1, name: 'sock_accept', type: 4 },
      { module: P1, name: 'sock_shutdown', type: 3 },
      { module: P1, name: 'path_link', type: 5 },
      { module: P1, name: 'path_link', type: 5 },
      { module: P1, name: 'fd_write', type: 6 },
      { module: P1, name: 'fd_write', type: 6 },
      { module: 'env', name: 'host_only', type: 1 },
    ],
    funcs: [{ type: 1, body: [...op.call(1), ...op.call(0)] }],
    memory: { min: 1 },
    exportMemory: true,
    exports: { _start: 9 },
  });
}

/** Creates `out.txt` in the first preopen (fd 3) and writes `text` into it. */
export function fileWriterModule(text: string): Uint8Array {
  const len = new TextEncoder().encode(text).length;
  const path = 'out.txt';
  const FD_WRITE = 1 << 6;
  return buildModule({
    types: [T.fdWrite, T.pathOpen, T.void],
    imports: [
      { module: P1, name: 'fd_write', type: 0 },
      { module: P1, name: 'path_open', type: 1 },
    ],
    funcs: [
      {
        type: 2,
        body: [
          // path_open(3, 0, path@32, 7, O_CREAT, FD_WRITE, 0, 0, &fd@12)
          ...op.i32Const(3),
          ...op.i32Const(0),
          ...op.i32Const(32),
          ...op.i32Const(path.length),
          ...op.i32Const(1),
          ...op.i64Const(FD_WRITE),
          ...op.i64Const(0),
          ...op.i32Const(0),
          ...op.i32Const(12),
          ...op.call(1),
          ...op.drop,
          ...iovec(64, len),
          ...write([...op.i32Const(12), ...op.i32Load(0)]),
        ],
      },
    ],
    memory: { min: 1 },
    exportMemory: true,
    exports: { _start: 2 },
    data: [
      { offset: 32, bytes: path },
      { offset: 64, bytes: text },
    ],
  });
}

/** Prints 16 bytes from random_get on stdout. */
export function randomModule(): Uint8Array {
  return buildModule({
    types: [T.fdWrite, T.twoI32, T.void],
    imports: [
      { module: P1, name: 'fd_write', type: 0 },
      { module: P1, name: 'random_get', type: 1 },
    ],
    funcs: [
      {
        type: 2,
        body: [
          ...op.i32Const(64),
          ...op.i32Const(16),
          ...op.call(1),
          ...op.drop,
          ...iovec(64, 16),
          ...write(op.i32Const(1)),
        ],
      },
    ],
    memory: { min: 1 },
    exportMemory: true,
    exports: { _start: 2 },
  });
}

/** Calls sched_yield forever: a busy loop the in-thread deadline check can see. */
export function yieldLoopModule(): Uint8Array {
  return buildModule({
    types: [T.noArgsI32, T.void],
    imports: [{ module: P1, name: 'sched_yield', type: 0 }],
    funcs: [{ type: 1, body: [...op.loop, ...op.call(0), ...op.drop, ...op.br(0), ...op.end] }],
    memory: { min: 1 },
    exportMemory: true,
    exports: { _start: 1 },
  });
}

/** Exits with the file type fd_fdstat_get reports for `fd` (or 100 + errno on failure). */
export function fdstatModule(fd: number): Uint8Array {
  return buildModule({
    types: [T.procExit, T.twoI32, T.void],
    imports: [
      { module: P1, name: 'proc_exit', type: 0 },
      { module: P1, name: 'fd_fdstat_get', type: 1 },
    ],
    funcs: [
      {
        type: 2,
        locals: [I32],
        body: [
          ...op.i32Const(fd),
          ...op.i32Const(64),
          ...op.call(1),
          ...op.localSet(0),
          ...op.localGet(0),
          ...op.if,
          ...op.i32Const(100),
          ...op.localGet(0),
          ...op.i32Add,
          ...op.call(0),
          ...op.end,
          ...op.i32Const(64),
          ...op.i32Load8u(0),
          ...op.call(0),
        ],
      },
    ],
    memory: { min: 1 },
    exportMemory: true,
    exports: { _start: 2 },
  });
}

/** Reads up to 1000 bytes of stdin with one fd_read and writes them to stdout. */
export function catModule(): Uint8Array {
  return buildModule({
    types: [T.fdWrite, T.void],
    imports: [
      { module: P1, name: 'fd_write', type: 0 },
      { module: P1, name: 'fd_read', type: 0 },
    ],
    funcs: [
      {
        type: 1,
        body: [
          ...iovec(64, 1000),
          ...op.i32Const(0),
          ...op.i32Const(0),
          ...op.i32Const(1),
          ...op.i32Const(8),
          ...op.call(1),
          ...op.drop,
          // iovec length := bytes read
          ...op.i32Const(0),
          ...op.i32Const(8),
          ...op.i32Load(0),
          ...op.i32Store(4),
          ...write(op.i32Const(1)),
        ],
      },
    ],
    memory: { min: 1 },
    exportMemory: true,
    exports: { _start: 2 },
  });
}

/** Creates directory 'd', enters it, closes the old descriptor, forever: inodes without bytes. */
export function directoryChainModule(): Uint8Array {
  const rights = (1 << 9) | (1 << 13); // PATH_CREATE_DIRECTORY | PATH_OPEN
  return buildModule({
    types: [T.procExit, T.threeI32, T.pathOpen, { params: [I32], results: [I32] }, T.void],
    imports: [
      { module: P1, name: 'proc_exit', type: 0 },
      { module: P1, name: 'path_create_directory', type: 1 },
      { module: P1, name: 'path_open', type: 2 },
      { module: P1, name: 'fd_close', type: 3 },
    ],
    funcs: [
      {
        type: 4,
        locals: [I32],
        body: [
          ...op.i32Const(3),
          ...op.localSet(0),
          ...op.loop,
          ...[...op.localGet(0), ...op.i32Const(32), ...op.i32Const(1), ...op.call(1), ...op.drop],
          ...[
            ...op.localGet(0),
            ...op.i32Const(0),
            ...op.i32Const(32),
            ...op.i32Const(1),
            ...op.i32Const(2),
          ],
          ...[
            ...op.i64Const(rights),
            ...op.i64Const(rights),
            ...op.i32Const(0),
            ...op.i32Const(12),
            ...op.call(2),
          ],
          ...[...op.if, ...op.i32Const(1), ...op.call(0), ...op.end],
          ...[...op.localGet(0), ...op.call(3), ...op.drop],
          ...[...op.i32Const(12), ...op.i32Load(0), ...op.localSet(0)],
          ...op.br(0),
          ...op.end,
        ],
      },
    ],
    memory: { min: 1 },
    exportMemory: true,
    exports: { _start: 4 },
    data: [{ offset: 32, bytes: 'd' }],
  });
}

/** Counts down from `iterations` to zero, then returns: CPU work of a chosen length. */
export function spinModule(iterations: number): Uint8Array {
  return buildModule({
    types: [T.void],
    funcs: [
      {
        type: 0,
        locals: [I32],
        body: [
          ...op.i32Const(iterations),
          ...op.localSet(0),
          ...op.loop,
          ...[...op.localGet(0), ...op.i32Const(1), ...op.i32Sub, ...op.localSet(0)],
          ...[...op.localGet(0), ...op.brIf(0)],
          ...op.end,
        ],
      },
    ],
    memory: { min: 1 },
    exportMemory: true,
    exports: { _start: 0 },
  });
}

/** Opens `path` in the first preopen without creating it; exits with path_open's errno. */
export function openExistingModule(path: string): Uint8Array {
  return buildModule({
    types: [T.procExit, T.pathOpen, T.void],
    imports: [
      { module: P1, name: 'proc_exit', type: 0 },
      { module: P1, name: 'path_open', type: 1 },
    ],
    funcs: [
      {
        type: 2,
        body: [
          ...[
            ...op.i32Const(3),
            ...op.i32Const(0),
            ...op.i32Const(32),
            ...op.i32Const(path.length),
          ],
          ...[
            ...op.i32Const(0),
            ...op.i64Const(2),
            ...op.i64Const(0),
            ...op.i32Const(0),
            ...op.i32Const(12),
          ],
          ...op.call(1),
          ...op.call(0),
        ],
      },
    ],
    memory: { min: 1 },
    exportMemory: true,
    exports: { _start: 2 },
    data: [{ offset: 32, bytes: path }],
  });
}

/** Asks for `pages` more pages of memory at once; exits 1 if refused, 0 if granted. */
export function bigAllocModule(pages: number): Uint8Array {
  return buildModule({
    types: [T.procExit, T.void],
    imports: [{ module: P1, name: 'proc_exit', type: 0 }],
    funcs: [
      {
        type: 1,
        body: [
          ...[...op.i32Const(pages), ...op.memoryGrow, ...op.i32Const(-1), ...op.i32Eq],
          ...op.call(0),
        ],
      },
    ],
    memory: { min: 1 },
    exportMemory: true,
    exports: { _start: 1 },
  });
}

/** Reads the realtime clock twice and random_get once, and prints the 24 raw bytes. */
export function clockAndRandomModule(): Uint8Array {
  const clock = (at: number) => [
    ...[...op.i32Const(0), ...op.i64Const(1), ...op.i32Const(at), ...op.call(1), ...op.drop],
  ];
  return buildModule({
    types: [T.fdWrite, { params: [I32, I64, I32], results: [I32] }, T.twoI32, T.void],
    imports: [
      { module: P1, name: 'fd_write', type: 0 },
      { module: P1, name: 'clock_time_get', type: 1 },
      { module: P1, name: 'random_get', type: 2 },
    ],
    funcs: [
      {
        type: 3,
        body: [
          ...clock(64),
          ...clock(72),
          ...[...op.i32Const(80), ...op.i32Const(8), ...op.call(2), ...op.drop],
          ...iovec(64, 24),
          ...write(op.i32Const(1)),
        ],
      },
    ],
    memory: { min: 1 },
    exportMemory: true,
    exports: { _start: 3 },
  });
}
