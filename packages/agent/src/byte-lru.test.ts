import { describe, expect, it } from 'vitest';
import { ByteLru } from './byte-lru.js';

const bytes = (n: number) => new Uint8Array(n);
const lru = (capacity: number) => new ByteLru<string, Uint8Array>(capacity, (v) => v.byteLength);

describe('ByteLru', () => {
  it('evicts the least recently used values once their total passes the capacity', () => {
    const c = lru(100);
    c.set('a', bytes(40));
    c.set('b', bytes(40));
    c.set('c', bytes(40));
    expect(c.has('a')).toBe(false);
    expect(c.has('b')).toBe(true);
    expect(c.has('c')).toBe(true);
    expect(c.bytes).toBe(80);
  });

  it('counts a read as a use, so a recently read value survives', () => {
    const c = lru(100);
    c.set('a', bytes(40));
    c.set('b', bytes(40));
    c.get('a');
    c.set('c', bytes(40));
    expect(c.has('a')).toBe(true);
    expect(c.has('b')).toBe(false);
  });

  it('evicts as many small values as a large one needs', () => {
    const c = lru(100);
    for (const k of ['a', 'b', 'c', 'd', 'e']) c.set(k, bytes(20));
    c.set('big', bytes(90));
    expect(c.size).toBe(1);
    expect(c.bytes).toBe(90);
  });

  it('refuses a value larger than the whole capacity without evicting anything', () => {
    const c = lru(100);
    c.set('a', bytes(50));
    expect(c.set('huge', bytes(101))).toBe(false);
    expect(c.has('huge')).toBe(false);
    expect(c.has('a')).toBe(true);
    expect(c.bytes).toBe(50);
  });

  it('replacing a key releases the old size', () => {
    const c = lru(100);
    c.set('a', bytes(60));
    c.set('a', bytes(30));
    expect(c.bytes).toBe(30);
    expect(c.get('a')?.byteLength).toBe(30);
  });

  it('delete and clear release their bytes', () => {
    const c = lru(100);
    c.set('a', bytes(10));
    c.set('b', bytes(20));
    expect(c.delete('a')).toBe(true);
    expect(c.delete('a')).toBe(false);
    expect(c.bytes).toBe(20);
    c.clear();
    expect(c.bytes).toBe(0);
    expect(c.get('b')).toBeUndefined();
  });

  it('tells its owner which entries it evicted, oldest first', () => {
    const evicted: string[] = [];
    const c = new ByteLru<string, number>(
      10,
      (n) => n,
      (key) => evicted.push(key),
    );
    c.set('a', 4);
    c.set('b', 4);
    c.delete('b');
    c.set('b', 4);
    c.set('c', 8);
    expect(evicted).toEqual(['a', 'b']);
  });
});
