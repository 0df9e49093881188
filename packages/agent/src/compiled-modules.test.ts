import { describe, expect, it } from 'vitest';
import { CompiledModules } from './compiled-modules.js';

function counter() {
  const calls: Array<[number, number]> = [];
  const compile = async (bytes: Uint8Array, cap: number) => {
    calls.push([bytes.byteLength, cap]);
    await new Promise((r) => setTimeout(r, 5));
    return { cap, length: bytes.byteLength };
  };
  return { calls, compile };
}
const load = (n: number) => async () => new Uint8Array(n);

describe('CompiledModules', () => {
  it('compiles a module once for all tasks that want it, even concurrently', async () => {
    const { calls, compile } = counter();
    const modules = new CompiledModules(compile);
    const got = await Promise.all([1, 2, 3].map(() => modules.get('h', 1 << 20, load(8))));
    expect(new Set(got).size).toBe(1);
    await modules.get('h', 1 << 20, load(8));
    expect(calls).toEqual([[8, 1 << 20]]);
  });

  it('compiles again for another memory cap', async () => {
    const { calls, compile } = counter();
    const modules = new CompiledModules(compile);
    await modules.get('h', 1 << 20, load(8));
    await modules.get('h', 2 << 20, load(8));
    expect(calls).toHaveLength(2);
  });

  it('forgets a failed compilation so the next task may try again', async () => {
    let fail = true;
    const modules = new CompiledModules(async () => {
      if (fail) throw new Error('bad');
      return 'ok';
    });
    await expect(modules.get('h', 1, load(1))).rejects.toThrow('bad');
    fail = false;
    expect(await modules.get('h', 1, load(1))).toBe('ok');
  });

  it('evicts the least recently used compilation beyond its bound', async () => {
    const { calls, compile } = counter();
    const modules = new CompiledModules(compile, 2);
    await modules.get('a', 1, load(1));
    await modules.get('b', 1, load(2));
    await modules.get('a', 1, load(1));
    await modules.get('c', 1, load(3));
    await modules.get('a', 1, load(1));
    await modules.get('b', 1, load(2));
    expect(calls.map(([n]) => n)).toEqual([1, 2, 3, 2]);
  });

  it('has a compiled module ready at once, until it is evicted', async () => {
    const { compile } = counter();
    const modules = new CompiledModules(compile, 1);
    expect(modules.ready('a', 1)).toBeUndefined();
    const a = await modules.get('a', 1, load(1));
    expect(modules.ready('a', 1)).toBe(a);
    expect(modules.ready('a', 2)).toBeUndefined();
    await modules.get('b', 1, load(2));
    expect(modules.ready('a', 1)).toBeUndefined();
  });
});
