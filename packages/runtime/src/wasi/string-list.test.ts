import { describe, expect, it } from 'vitest';
import { GuestMemory } from './guest-memory.js';
import { StringList } from './string-list.js';

describe('StringList', () => {
  it('lays out NUL-terminated UTF-8 strings with a pointer to each, forgetting earlier runs', () => {
    const list = new StringList();
    list.add('a much longer first run'.repeat(20));
    list.clear();
    list.add('ab');
    list.add('é€😀');
    list.add('');
    const memory = new GuestMemory();
    const wasm = new WebAssembly.Memory({ initial: 1 });
    memory.attach(wasm);
    expect([list.count, list.bytes]).toEqual([3, 3 + 10 + 1]);
    list.writeTo(memory, 0, 100);
    const dv = new DataView(wasm.buffer);
    expect([0, 4, 8].map((p) => dv.getUint32(p, true))).toEqual([100, 103, 113]);
    const written = new Uint8Array(wasm.buffer, 100, list.bytes);
    expect(written).toEqual(new TextEncoder().encode('ab\0é€😀\0\0'));
    expect(new Uint8Array(wasm.buffer)[100 + list.bytes]).toBe(0);
  });
});
