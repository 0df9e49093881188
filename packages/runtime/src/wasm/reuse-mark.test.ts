import { describe, expect, it } from 'vitest';
import { helloModule } from '../../test/guest-modules.js';
import { buildModule, op } from '../../test/wasm-builder.js';
import { stripCustomSections } from './custom-sections.js';
import { isMarkedReusable, markReusable } from './reuse-mark.js';

const compile = (bytes: Uint8Array) => new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);

/** A module whose _start runs `body`, with one mutable global. */
const withBody = (body: number[], start?: number) =>
  buildModule({
    types: [{ params: [], results: [] }],
    funcs: [{ type: 0, body }],
    memory: { min: 1 },
    globals: [5],
    exports: { _start: 0 },
    ...(start === undefined ? {} : { start }),
  });

describe('markReusable', () => {
  it('exports every mutable global and marks the module', () => {
    const marked = markReusable(withBody([...op.i32Const(1), ...op.globalSet(0)]));
    expect(marked).not.toBeNull();
    const module = compile(marked as Uint8Array);
    expect(isMarkedReusable(module)).toBe(true);
    const exported = new WebAssembly.Instance(module, {}).exports.__anygrid_global_0;
    expect(exported).toBeInstanceOf(WebAssembly.Global);
    expect((exported as WebAssembly.Global).value).toBe(5);
    expect(isMarkedReusable(compile(helloModule('x')))).toBe(false);
  });

  it('leaves unmarked a module with a start function or an instruction that drops a segment', () => {
    expect(markReusable(withBody([], 0))).toBeNull();
    expect(markReusable(withBody([0xfc, 0x09, 0x00]))).toBeNull();
    expect(markReusable(withBody([...op.i32Const(0), ...op.i32Const(0), 0x26, 0x00]))).toBeNull();
  });

  it('cannot be forged: a mark a module arrives with is stripped', () => {
    const marked = markReusable(withBody([])) as Uint8Array;
    const mark = marked.subarray(marked.length - 19);
    const withForgedMark = new Uint8Array([...withBody([], 0), ...mark]);
    expect(isMarkedReusable(compile(withForgedMark))).toBe(true);
    expect(isMarkedReusable(compile(stripCustomSections(withForgedMark)))).toBe(false);
  });
});
