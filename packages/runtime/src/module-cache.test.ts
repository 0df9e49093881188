import { describe, expect, it } from 'vitest';
import { bigAllocModule, exitModule, helloModule } from '../test/guest-modules.js';
import { buildModule, I32, op } from '../test/wasm-builder.js';
import { ModuleCache } from './module-cache.js';
import { GROW_FAILED_EXPORT } from './wasm/grow-probe.js';

describe('ModuleCache', () => {
  it('compiles identical bytes once per cap and remembers the cap', async () => {
    const cache = new ModuleCache();
    const a = await cache.compile(helloModule('x'), 1 << 20);
    const b = await cache.compile(Uint8Array.from(helloModule('x')), 1 << 20);
    const c = await cache.compile(helloModule('x'), 2 << 20);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(cache.capOf(a)).toBe(1 << 20);
    expect(cache.capOf(c)).toBe(2 << 20);
  });

  it('evicts the least recently used module beyond its size', async () => {
    const cache = new ModuleCache(2);
    const first = await cache.compile(exitModule(1));
    const second = await cache.compile(exitModule(2));
    expect(await cache.compile(exitModule(1))).toBe(first);
    await cache.compile(exitModule(3)); // evicts exitModule(2), the least recently used
    expect(await cache.compile(exitModule(1))).toBe(first);
    expect(await cache.compile(exitModule(2))).not.toBe(second);
  });

  it('compiles the module unprobed when the probe would clash with it', async () => {
    const clashing = buildModule({
      types: [{ params: [I32], results: [I32] }],
      funcs: [{ type: 0, body: [...op.localGet(0), ...op.memoryGrow] }],
      memory: { min: 1 },
      exports: { [GROW_FAILED_EXPORT]: 0 },
    });
    const module = await new ModuleCache().compile(clashing);
    expect(WebAssembly.Module.exports(module)).toEqual([
      { name: GROW_FAILED_EXPORT, kind: 'function' },
    ]);
    const probed = await new ModuleCache().compile(bigAllocModule(1));
    expect(WebAssembly.Module.exports(probed).map((e) => e.name)).toContain(GROW_FAILED_EXPORT);
  });

  it('does not cache a failure', async () => {
    const cache = new ModuleCache();
    const bad = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x0a, 0x05, 0xff);
    await expect(cache.compile(bad)).rejects.toMatchObject({ code: 'invalid_module' });
    await expect(cache.compile(bad)).rejects.toMatchObject({ code: 'invalid_module' });
  });
});
