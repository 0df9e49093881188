// Makes a large but equivalent WebAssembly module, for "a 60 MB module uploads, caches
// and runs" tests: the base module's bytes followed by one custom section (id 0, name
// "anygrid.padding") whose payload pads the result to exactly totalBytes. Custom sections
// do not affect validation or execution, so the result runs exactly like the base module.
// The padding is deterministic pseudo-random bytes (incompressible, so gzip in transit
// cannot shrink it; same inputs give the same bytes and hash).
//
//   import { makeLargeModule } from './make-large-module.mjs';
//   const big = makeLargeModule(readFileSync('examples/prime.wasm'), 60 * 1024 * 1024);
//
//   node examples/make-large-module.mjs BASE.wasm TOTAL_BYTES OUT.wasm   (TOTAL e.g. 60M)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const NAME = new TextEncoder().encode('anygrid.padding');
// id (1) + section size as a 5-byte padded LEB128 (valid for u32) + name length (1) + name
const OVERHEAD = 1 + 5 + 1 + NAME.length;
const MAGIC = [0x00, 0x61, 0x73, 0x6d];

/**
 * @param {Uint8Array} baseWasmBytes a valid WebAssembly binary
 * @param {number} totalBytes size of the result, at least base size + 22
 * @returns {Uint8Array}
 */
export function makeLargeModule(baseWasmBytes, totalBytes) {
  const base = baseWasmBytes;
  if (base.length < 8 || MAGIC.some((b, i) => base[i] !== b)) {
    throw new TypeError('makeLargeModule: base is not a WebAssembly binary');
  }
  const min = base.length + OVERHEAD;
  if (!Number.isSafeInteger(totalBytes) || totalBytes < min || totalBytes > 0xffffffff) {
    throw new RangeError(`makeLargeModule: totalBytes must be an integer in [${min}, 2^32)`);
  }
  const out = new Uint8Array(totalBytes);
  out.set(base, 0);
  let p = base.length;
  out[p++] = 0; // custom section id
  let size = totalBytes - p - 5; // section payload: name + padding
  for (let i = 0; i < 5; i++, size >>>= 7) out[p++] = (size & 0x7f) | (i < 4 ? 0x80 : 0);
  out[p++] = NAME.length;
  out.set(NAME, p);
  p += NAME.length;
  // xorshift32, fixed seed: deterministic, incompressible filler
  let x = 0x2545f491;
  for (; p < totalBytes; p++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[p] = x & 0xff;
  }
  return out;
}

/** @param {string} s e.g. "62914560", "60M", "512K" */
function parseSize(s) {
  const m = /^(\d+)([KMG]?)$/i.exec(s);
  if (!m) throw new Error(`bad size: ${s}`);
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase()];
  return Number(m[1]) * mult;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [base, total, out] = process.argv.slice(2);
  if (!base || !total || !out) {
    console.error('usage: node make-large-module.mjs BASE.wasm TOTAL_BYTES OUT.wasm');
    process.exit(2);
  }
  writeFileSync(out, makeLargeModule(readFileSync(base), parseSize(total)));
}
