import { describe, expect, it } from 'vitest';
import { exitModule } from '../../test/guest-modules.js';
import { buildModule, I32 } from '../../test/wasm-builder.js';
import { capMemory } from './memory-cap.js';
import { importedMemoryLimits, importMemory, MEMORY_IMPORT } from './memory-import.js';

const compile = (bytes: Uint8Array) => new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);

describe('importMemory', () => {
  it('turns the one defined memory into an import that keeps index 0 and its export', () => {
    const capped = capMemory(exitModule(3), 4 * 65536);
    const module = compile(importMemory(capped) as Uint8Array);
    expect(WebAssembly.Module.imports(module)).toContainEqual({ ...MEMORY_IMPORT, kind: 'memory' });
    expect(WebAssembly.Module.exports(module)).toEqual(WebAssembly.Module.exports(compile(capped)));
    expect(importedMemoryLimits(module)).toEqual({ initial: 1, maximum: 4 });
  });

  it('leaves alone modules without a capped memory of their own', () => {
    const noMemory = buildModule({
      types: [{ params: [], results: [] }],
      funcs: [{ type: 0, body: [] }],
    });
    const uncapped = buildModule({ types: [{ params: [I32], results: [] }], memory: { min: 1 } });
    expect(importMemory(noMemory)).toBeNull();
    expect(importMemory(uncapped)).toBeNull();
    expect(importMemory(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 9))).toBeNull();
  });

  it('does not rewrite a module twice', () => {
    const once = importMemory(capMemory(exitModule(0), 65536)) as Uint8Array;
    expect(importMemory(once)).toBeNull();
  });
});
