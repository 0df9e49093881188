/**
 * @module The guest's source of randomness: a seeded PRNG, so replicas of a task given
 * the same seed see the same bytes and produce comparable results.
 *
 * sfc32 (Chris Doty-Humphrey's small fast counting generator): 128 bits of state,
 * fast in plain 32-bit JavaScript arithmetic. Not cryptographic — the seed is public.
 */

/** Deterministic byte generator. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed` is any integer up to 2^53; both 32-bit halves enter the state. */
  constructor(seed: number) {
    this.a = 0;
    this.b = 0;
    this.c = 0;
    this.d = 0;
    this.reseed(seed);
  }

  /** Restarts the sequence from `seed`. */
  reseed(seed: number): void {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = (0xb7e15162 ^ Math.floor(seed / 2 ** 32)) >>> 0;
    this.d = seed >>> 0;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** The next 32 random bits. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Fills `out` with random bytes. */
  fill(out: Uint8Array): void {
    let i = 0;
    for (; i + 4 <= out.length; i += 4) {
      const v = this.next();
      out[i] = v;
      out[i + 1] = v >>> 8;
      out[i + 2] = v >>> 16;
      out[i + 3] = v >>> 24;
    }
    if (i < out.length) {
      let v = this.next();
      for (; i < out.length; i++, v >>>= 8) out[i] = v;
    }
  }
}
