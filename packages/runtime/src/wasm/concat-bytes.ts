/**
 * @module
 * Joins byte runs into one buffer: the module rewriters build sections from many small
 * pieces. Takes an array rather than spread arguments, since a code section may hold
 * 100 000+ function bodies.
 */

export function concatBytes(parts: readonly ArrayLike<number>[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
