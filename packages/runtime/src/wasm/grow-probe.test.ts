import { describe, expect, it } from 'vitest';
import { bigAllocModule, helloModule } from '../../test/guest-modules.js';
import { buildModule, I32, op } from '../../test/wasm-builder.js';
import { GROW_FAILED_EXPORT, instrumentGrow } from './grow-probe.js';
import { capMemory } from './memory-cap.js';

const PAGE = 65536;

/** Exports grow(n) = memory.grow(n), written amid a variety of other instructions. */
function busyGrowModule(): Uint8Array {
  const body = [
    ...[
      ...op.block,
      ...op.loop,
      ...op.i32Const(0),
      ...[0x0e, 0x01, 0x01, 0x01], // br_table out of the block
      ...op.end,
      ...op.end,
    ],
    ...[0x42, 0xff, 0xff, 0x03, 0x1a], // i64.const, drop
    ...[0x43, 0, 0, 0x80, 0x3f, 0x1a], // f32.const 1.0, drop
    ...[0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x1a], // f64.const 1.0, drop
    ...[...op.i32Const(16), ...op.i32Const(7), ...op.i32Const(4), 0xfc, 0x0b, 0x00], // memory.fill
    ...[...op.i32Const(8), ...op.i32Const(8), ...op.i32Load(1000), ...op.i32Store(2000)],
    ...[...op.i32Const(1), ...op.i32Const(2), ...op.i32Const(0), 0x1b, 0x1a], // select, drop
    ...[0x3f, 0x00, 0x1a], // memory.size, drop
    ...[...op.localGet(0), ...op.memoryGrow],
  ];
  return buildModule({
    types: [{ params: [I32], results: [I32] }],
    funcs: [{ type: 0, body }],
    memory: { min: 1 },
    exportMemory: true,
    exports: { grow: 0 },
  });
}

async function instantiate(bytes: Uint8Array) {
  const { instance } = await WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>, {
    wasi_snapshot_preview1: { proc_exit: () => {}, fd_write: () => 0 },
  });
  return instance.exports as Record<string, unknown> & { grow(n: number): number };
}

describe('instrumentGrow', () => {
  it('keeps memory.grow results and raises the exported flag only when a grow is refused', async () => {
    const bytes = instrumentGrow(capMemory(busyGrowModule(), 8 * PAGE));
    expect(bytes).not.toBeNull();
    const ex = await instantiate(bytes as Uint8Array);
    const flag = ex[GROW_FAILED_EXPORT] as WebAssembly.Global;
    expect(ex.grow(3)).toBe(1);
    expect(flag.value).toBe(0);
    expect(ex.grow(100)).toBe(-1);
    expect(flag.value).toBe(1);
    expect(ex.grow(1)).toBe(4);
  });

  it('leaves modules without memory.grow alone', () => {
    expect(instrumentGrow(helloModule('x'))).toBeNull();
  });

  it('routes every grow site through the hook', async () => {
    const bytes = instrumentGrow(capMemory(bigAllocModule(1000), 4 * PAGE));
    const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    expect(WebAssembly.Module.exports(module).map((e) => e.name)).toContain(GROW_FAILED_EXPORT);
  });

  it('gives up on instructions it does not know instead of guessing', () => {
    const bytes = buildModule({
      types: [{ params: [], results: [] }],
      funcs: [
        {
          type: 0,
          body: [0xfb, 0x00, 0x00, 0x1a, ...op.i32Const(1), ...op.memoryGrow, ...op.drop],
        },
      ],
      memory: { min: 1 },
      exports: { f: 0 },
    });
    expect(instrumentGrow(bytes)).toBeNull();
  });
});
