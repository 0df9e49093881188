import { describe, expect, it } from 'vitest';
import { exitModule } from '../../test/guest-modules.js';
import { buildModule, I32 } from '../../test/wasm-builder.js';
import { capMemory } from './memory-cap.js';
import { importedMemoryLimits, importMemory, MEMORY_IMPORT } from './memory-import.js';

const compile = (bytes: Uint8Array) => new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
const withMemory = (memory: { min: number; max?: number }) =>
  buildModule({ types: [{ params: [I32], results: [] }], memory });

describe('importMemory', () => {
  it('turns the one defined memory into an import that keeps index 0 and its export', () => {
    const module = compile(importMemory(exitModule(3), 4 * 65536) as Uint8Array);
    expect(WebAssembly.Module.imports(module)).toContainEqual({ ...MEMORY_IMPORT, kind: 'memory' });
    expect(WebAssembly.Module.exports(module)).toEqual(
      WebAssembly.Module.exports(compile(capMemory(exitModule(3), 4 * 65536))),
    );
    expect(importedMemoryLimits(module)).toEqual({ initial: 1, maximum: 4 });
  });

  it('caps the maximum: the smaller of the declared one and the cap', () => {
    const limits = (bytes: Uint8Array | null) => importedMemoryLimits(compile(bytes as Uint8Array));
    expect(limits(importMemory(withMemory({ min: 1, max: 3 }), 8 * 65536))).toEqual({
      initial: 1,
      maximum: 3,
    });
    expect(limits(importMemory(withMemory({ min: 1, max: 3 }), 2 * 65536 + 100))).toEqual({
      initial: 1,
      maximum: 2,
    });
    expect(limits(importMemory(withMemory({ min: 1 }), 8 * 65536))).toEqual({
      initial: 1,
      maximum: 8,
    });
  });

  it('leaves alone modules it cannot rewrite: no memory, initial size above the cap, malformed', () => {
    const noMemory = buildModule({
      types: [{ params: [], results: [] }],
      funcs: [{ type: 0, body: [] }],
    });
    expect(importMemory(noMemory, 65536)).toBeNull();
    expect(importMemory(withMemory({ min: 4 }), 2 * 65536)).toBeNull();
    expect(importMemory(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 9), 65536)).toBeNull();
  });

  it('does not rewrite a module twice', () => {
    const once = importMemory(exitModule(0), 65536) as Uint8Array;
    expect(importMemory(once, 65536)).toBeNull();
  });
});
