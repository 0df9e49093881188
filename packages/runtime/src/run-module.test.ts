import { describe, expect, it } from 'vitest';
import {
  bigAllocModule,
  catModule,
  clockAndRandomModule,
  exitModule,
  fdstatModule,
  fileWriterModule,
  helloModule,
  memoryBombModule,
  openExistingModule,
  trapModule,
  yieldLoopModule,
} from '../test/guest-modules.js';
import { buildModule, I32, op } from '../test/wasm-builder.js';
import { ModuleCache } from './module-cache.js';
import { reachedMemoryCap, runModule } from './run-module.js';
import type { RunSpec } from './run-spec.js';
import { FileType } from './wasi/abi.js';
import { VIRTUAL_EPOCH_NS } from './wasi/virtual-clock.js';
import { capMemory } from './wasm/memory-cap.js';
import { isMarkedReusable } from './wasm/reuse-mark.js';

const MIB = 1024 * 1024;
const compile = (bytes: Uint8Array) => WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
const run = async (bytes: Uint8Array, spec: RunSpec = {}) => runModule(await compile(bytes), spec);

describe('runModule (in the current thread)', () => {
  it('returns stdout and exit code 0 when _start returns', async () => {
    const result = await run(helloModule('hi'));
    expect(result).toMatchObject({ exitCode: 0, dirs: {} });
    expect(result.failure).toBeUndefined();
    expect(new TextDecoder().decode(result.stdout)).toBe('hi');
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('treats proc_exit(0) as success and other codes as exit_code', async () => {
    expect((await run(exitModule(0))).failure).toBeUndefined();
    expect((await run(exitModule(255))).failure?.code).toBe('exit_code');
    expect((await run(exitModule(255))).exitCode).toBe(255);
  });

  it('reports a trap with a null exit code', async () => {
    const result = await run(trapModule());
    expect(result.exitCode).toBeNull();
    expect(result.failure?.code).toBe('trap');
    expect(result.failure?.message).toMatch(/unreachable/);
  });

  it('ends a syscall-heavy busy loop at the wall-time limit without a watchdog', async () => {
    const result = await run(yieldLoopModule(), { limits: { wallTimeMs: 100 } });
    expect(result.failure?.code).toBe('time_limit');
    expect(result.durationMs).toBeLessThan(3000);
  });

  it('feeds stdin to fd_read', async () => {
    const result = await run(catModule(), { stdin: new TextEncoder().encode('from stdin') });
    expect(new TextDecoder().decode(result.stdout)).toBe('from stdin');
  });

  it('does not present stdout as a terminal, so libc buffers it fully', async () => {
    expect((await run(fdstatModule(1))).exitCode).toBe(FileType.UNKNOWN);
    expect((await run(fdstatModule(9))).exitCode).toBe(100 + 8); // EBADF
  });

  it('classifies a failure with memory at the cap as memory_limit', async () => {
    const module = await compile(capMemory(memoryBombModule('trap'), 4 * MIB));
    const result = await runModule(module, { limits: { memoryBytes: 4 * MIB } });
    expect(result.failure?.code).toBe('memory_limit');
  });

  it('without the grow probe, a refused allocation far below the cap is only an exit code', async () => {
    const module = await compile(capMemory(bigAllocModule(1000), 16 * MIB));
    const result = await runModule(module, { limits: { memoryBytes: 16 * MIB } });
    expect(result.failure?.code).toBe('exit_code');
  });

  it('reports a module without _start as invalid_module', async () => {
    const bytes = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0);
    expect((await run(bytes)).failure?.code).toBe('invalid_module');
  });
});

describe('runModule determinism', () => {
  it('gives identical clocks and random bytes for the same seed, on a virtual clock', async () => {
    const module = await compile(clockAndRandomModule());
    const a = await runModule(module, { seed: 3 });
    const b = await runModule(module, { seed: 3 });
    const c = await runModule(module, { seed: 4 });
    expect(a.stdout).toEqual(b.stdout);
    const view = new DataView(a.stdout.buffer, a.stdout.byteOffset, 24);
    const first = view.getBigUint64(0, true);
    const second = view.getBigUint64(8, true);
    expect(first).toBeGreaterThanOrEqual(VIRTUAL_EPOCH_NS);
    expect(first).toBeLessThan(VIRTUAL_EPOCH_NS + 1_000_000_000n);
    expect(second).toBeGreaterThan(first);
    expect(c.stdout.subarray(0, 16)).toEqual(a.stdout.subarray(0, 16));
    expect(c.stdout.subarray(16)).not.toEqual(a.stdout.subarray(16));
  });
});

describe('runModule reusing process contexts', () => {
  it('leaves nothing of one run visible to the next', async () => {
    const writer = await run(fileWriterModule('secret'), { dirs: { '/': {} }, seed: 1 });
    expect(Object.keys(writer.dirs['/'] ?? {})).toEqual(['out.txt']);
    const reader = await run(openExistingModule('out.txt'), { dirs: { '/': {} } });
    expect(reader.exitCode).toBe(44); // ENOENT: a fresh, empty directory
    const noDir = await run(openExistingModule('out.txt'));
    expect(noDir.exitCode).toBe(8); // EBADF: fd 3 is not open without a preopen
    const hello = await run(helloModule('once'));
    expect(new TextDecoder().decode(hello.stdout)).toBe('once');
  });

  it('keeps concurrent runs in one thread apart', async () => {
    const texts = ['a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffff'];
    const modules = await Promise.all(texts.map((t) => compile(helloModule(t))));
    const results = await Promise.all(modules.map((m) => runModule(m, {})));
    expect(results.map((r) => new TextDecoder().decode(r.stdout))).toEqual(texts);
  });
});

describe('reachedMemoryCap', () => {
  it('is true only within max(1 MiB, cap/16) of the cap', () => {
    expect(reachedMemoryCap(256 * MIB, 256 * MIB)).toBe(true);
    expect(reachedMemoryCap(241 * MIB, 256 * MIB)).toBe(true);
    expect(reachedMemoryCap(200 * MIB, 256 * MIB)).toBe(false);
    expect(reachedMemoryCap(MIB / 2, 2 * MIB)).toBe(false);
    expect(reachedMemoryCap(1.5 * MIB, 2 * MIB)).toBe(true);
  });
});

describe('runModule with a recycled memory', () => {
  // exit code = the i32 at 100 + (memory.size - 1); then stores 7 at 100 and, if `grow`, grows.
  const dirtyModule = (grow: boolean) =>
    buildModule({
      types: [
        { params: [I32], results: [] },
        { params: [], results: [] },
      ],
      imports: [{ module: 'wasi_snapshot_preview1', name: 'proc_exit', type: 0 }],
      funcs: [
        {
          type: 1,
          body: [
            ...[...op.i32Const(100), ...op.i32Load(), 0x3f, 0x00, ...op.i32Const(1), ...op.i32Sub],
            ...[...op.i32Add, ...op.i32Const(100), ...op.i32Const(7), ...op.i32Store()],
            ...(grow ? [...op.i32Const(1), ...op.memoryGrow, ...op.drop] : []),
            ...op.call(0),
          ],
        },
      ],
      memory: { min: 1 },
      exportMemory: true,
      exports: { _start: 1 },
    });

  it('gives every run a zeroed memory at its initial size, as a fresh one', async () => {
    for (const grow of [false, true]) {
      const module = await new ModuleCache().compile(dirtyModule(grow), 4 * 65536);
      expect(WebAssembly.Module.imports(module).some((i) => i.kind === 'memory')).toBe(true);
      for (let i = 0; i < 3; i++) expect((await runModule(module, {})).exitCode).toBe(0);
    }
  });
});

describe('runModule with a kept instance', () => {
  it('starts every run as a fresh instance would, whatever the last run left behind', async () => {
    const P1 = 'wasi_snapshot_preview1';
    // Prints ['0' + global + mem[200], mem[100]], then dirties both and traps.
    const bytes = buildModule({
      types: [
        { params: [I32, I32, I32, I32], results: [I32] },
        { params: [], results: [] },
      ],
      imports: [{ module: P1, name: 'fd_write', type: 0 }],
      funcs: [
        {
          type: 1,
          body: [
            ...op.i32Const(64),
            ...op.i32Const(48),
            ...op.globalGet(0),
            ...op.i32Add,
            ...op.i32Const(200),
            ...op.i32Load8u(0),
            ...op.i32Add,
            ...op.i32Store8(0),
            ...op.i32Const(65),
            ...op.i32Const(100),
            ...op.i32Load8u(0),
            ...op.i32Store8(0),
            ...[...op.i32Const(0), ...op.i32Const(64), ...op.i32Store(0)],
            ...[...op.i32Const(0), ...op.i32Const(2), ...op.i32Store(4)],
            ...[...op.i32Const(1), ...op.i32Const(0), ...op.i32Const(1), ...op.i32Const(8)],
            ...op.call(0),
            ...op.drop,
            ...[...op.i32Const(200), ...op.i32Const(1), ...op.i32Store8(0)],
            ...[...op.i32Const(100), ...op.i32Const(66), ...op.i32Store8(0)],
            ...[...op.globalGet(0), ...op.i32Const(1), ...op.i32Add, ...op.globalSet(0)],
            ...op.unreachable,
          ],
        },
      ],
      memory: { min: 1 },
      exportMemory: true,
      globals: [0],
      exports: { _start: 1 },
      data: [{ offset: 100, bytes: 'A' }],
    });
    const module = await new ModuleCache().compile(bytes);
    expect(isMarkedReusable(module)).toBe(true);
    for (let i = 0; i < 3; i++) {
      const result = await runModule(module, {});
      expect(result.failure?.code).toBe('trap');
      expect(new TextDecoder().decode(result.stdout)).toBe('0A');
    }
  });
});
