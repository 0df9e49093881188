import { describe, expect, it } from 'vitest';
import { exitModule, helloModule } from '../test/guest-modules.js';
import { ModuleCache } from './module-cache.js';

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

  it('does not cache a failure', async () => {
    const cache = new ModuleCache();
    const bad = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x0a, 0x05, 0xff);
    await expect(cache.compile(bad)).rejects.toMatchObject({ code: 'invalid_module' });
    await expect(cache.compile(bad)).rejects.toMatchObject({ code: 'invalid_module' });
  });
});
