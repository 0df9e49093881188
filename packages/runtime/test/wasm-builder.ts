/**
 * @module A tiny WebAssembly binary writer for tests: enough to hand-write the
 * misbehaving modules (infinite loop, memory bomb, output flood, odd imports) the
 * sandbox must contain, without a C toolchain or wat2wasm.
 */

export const I32 = 0x7f;
export const I64 = 0x7e;

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (i32 and small i64 constants). */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const name = (s: string): number[] => {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** Instruction encoders (only what the tests use). */
export const op = {
  unreachable: [0x00],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  call: (fn: number) => [0x10, ...uleb(fn)],
  drop: [0x1a],
  localGet: (i: number) => [0x20, ...uleb(i)],
  localSet: (i: number) => [0x21, ...uleb(i)],
  i32Load: (offset = 0) => [0x28, 2, ...uleb(offset)],
  i32Load8u: (offset = 0) => [0x2d, 0, ...uleb(offset)],
  i32Store: (offset = 0) => [0x36, 2, ...uleb(offset)],
  memoryGrow: [0x40, 0x00],
  i32Const: (n: number) => [0x41, ...sleb(n)],
  i64Const: (n: number) => [0x42, ...sleb(n)],
  i32Eqz: [0x45],
  i32Eq: [0x46],
  i32Add: [0x6a],
  i32Store8: (offset = 0) => [0x3a, 0, ...uleb(offset)],
  globalGet: (i: number) => [0x23, ...uleb(i)],
  globalSet: (i: number) => [0x24, ...uleb(i)],
  i32Sub: [0x6b],
};

export interface FuncType {
  readonly params: readonly number[];
  readonly results: readonly number[];
}

export interface ModuleParts {
  readonly types: readonly FuncType[];
  readonly imports?: ReadonlyArray<{ module: string; name: string; type: number }>;
  /** Defined functions; their indices follow the imports. */
  readonly funcs?: ReadonlyArray<{
    type: number;
    locals?: readonly number[];
    body: readonly number[];
  }>;
  readonly memory?: { min: number; max?: number };
  readonly exportMemory?: boolean;
  /** Exported functions by name → function index. */
  readonly exports?: Readonly<Record<string, number>>;
  readonly data?: ReadonlyArray<{ offset: number; bytes: Uint8Array | string }>;
  /** Mutable i32 globals, by initial value (not exported). */
  readonly globals?: readonly number[];
  /** Index of the start function. */
  readonly start?: number;
}

/** Encodes a module from its parts. */
export function buildModule(parts: ModuleParts): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  out.push(
    ...section(
      1,
      vec(
        parts.types.map((t) => [
          0x60,
          ...uleb(t.params.length),
          ...t.params,
          ...uleb(t.results.length),
          ...t.results,
        ]),
      ),
    ),
  );
  if (parts.imports?.length) {
    out.push(
      ...section(
        2,
        vec(parts.imports.map((i) => [...name(i.module), ...name(i.name), 0x00, ...uleb(i.type)])),
      ),
    );
  }
  const funcs = parts.funcs ?? [];
  if (funcs.length) out.push(...section(3, vec(funcs.map((f) => uleb(f.type)))));
  if (parts.memory) {
    const m = parts.memory;
    const limits =
      m.max === undefined ? [0x00, ...uleb(m.min)] : [0x01, ...uleb(m.min), ...uleb(m.max)];
    out.push(...section(5, vec([limits])));
  }
  if (parts.globals?.length)
    out.push(...section(6, vec(parts.globals.map((g) => [I32, 1, ...op.i32Const(g), 0x0b]))));
  const exports: number[][] = Object.entries(parts.exports ?? {}).map(([n, i]) => [
    ...name(n),
    0x00,
    ...uleb(i),
  ]);
  if (parts.exportMemory) exports.push([...name('memory'), 0x02, 0x00]);
  if (exports.length) out.push(...section(7, vec(exports)));
  if (parts.start !== undefined) out.push(...section(8, uleb(parts.start)));
  if (funcs.length) {
    out.push(
      ...section(
        10,
        vec(
          funcs.map((f) => {
            const locals = (f.locals ?? []).map((t) => [1, t]);
            const body = [...vec(locals), ...f.body, 0x0b];
            return [...uleb(body.length), ...body];
          }),
        ),
      ),
    );
  }
  if (parts.data?.length) {
    out.push(
      ...section(
        11,
        vec(
          parts.data.map((d) => {
            const bytes = typeof d.bytes === 'string' ? new TextEncoder().encode(d.bytes) : d.bytes;
            return [0x00, ...op.i32Const(d.offset), 0x0b, ...uleb(bytes.length), ...bytes];
          }),
        ),
      ),
    );
  }
  return Uint8Array.from(out);
}
