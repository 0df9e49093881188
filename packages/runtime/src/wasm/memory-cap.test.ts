import { describe, expect, it } from 'vitest';
import { buildModule, I32, op } from '../../test/wasm-builder.js';
import { ModuleError } from '../module-error.js';
import { capMemory } from './memory-cap.js';

const PAGE = 65536;

/** A module whose _start-less export `grow(n)` returns memory.grow(n). */
function growModule(memory: { min: number; max?: number }): Uint8Array {
  return buildModule({
    types: [{ params: [I32], results: [I32] }],
    funcs: [{ type: 0, body: [...op.localGet(0), ...op.memoryGrow] }],
    memory,
    exportMemory: true,
    exports: { grow: 0 },
  });
}

async function instantiate(bytes: Uint8Array) {
  const { instance } = await WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>);
  return instance.exports as { grow(n: number): number; memory: WebAssembly.Memory };
}

describe('capMemory', () => {
  it('gives a memory without maximum the cap as maximum, so memory.grow past it fails', async () => {
    const uncapped = await instantiate(growModule({ min: 1 }));
    expect(uncapped.grow(64)).toBe(1);
    const capped = await instantiate(capMemory(growModule({ min: 1 }), 16 * PAGE));
    expect(capped.grow(15)).toBe(1);
    expect(capped.grow(1)).toBe(-1);
    expect(capped.memory.buffer.byteLength).toBe(16 * PAGE);
  });

  it('keeps a declared maximum that is already below the cap', async () => {
    const capped = await instantiate(capMemory(growModule({ min: 1, max: 4 }), 100 * PAGE));
    expect(capped.grow(3)).toBe(1);
    expect(capped.grow(1)).toBe(-1);
  });

  it('lowers a declared maximum above the cap', async () => {
    const capped = await instantiate(capMemory(growModule({ min: 1, max: 1000 }), 8 * PAGE));
    expect(capped.grow(8)).toBe(-1);
    expect(capped.grow(7)).toBe(1);
  });

  it('caps an imported memory', () => {
    const bytes = Uint8Array.from([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      // import section: env.mem memory { min 2 }
      0x02, 0x0c, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x02,
    ]);
    const capped = capMemory(bytes, 5 * PAGE);
    const module = new WebAssembly.Module(capped as Uint8Array<ArrayBuffer>);
    expect(
      () =>
        new WebAssembly.Instance(module, { env: { mem: new WebAssembly.Memory({ initial: 2 }) } }),
    ).toThrow();
    const ok = new WebAssembly.Instance(module, {
      env: { mem: new WebAssembly.Memory({ initial: 2, maximum: 5 }) },
    });
    expect(ok).toBeInstanceOf(WebAssembly.Instance);
  });

  it('throws memory_limit when the initial memory is above the cap', () => {
    expect(() => capMemory(growModule({ min: 10 }), 4 * PAGE)).toThrow(
      expect.objectContaining({ code: 'memory_limit' }),
    );
  });

  it('throws invalid_module for bytes that are not WebAssembly', () => {
    expect(() => capMemory(new TextEncoder().encode('hello world'), PAGE)).toThrow(ModuleError);
    const truncated = growModule({ min: 1 }).subarray(0, 18); // inside the function section
    expect(() => capMemory(truncated, PAGE)).toThrow(
      expect.objectContaining({ code: 'invalid_module' }),
    );
  });

  it('leaves modules without memory byte-identical', () => {
    const bytes = buildModule({
      types: [{ params: [], results: [] }],
      funcs: [{ type: 0, body: [] }],
      exports: { f: 0 },
    });
    expect(capMemory(bytes, PAGE)).toEqual(bytes);
  });
});
