/**
 * @module
 * A seeded source of uniform numbers in [0, 1), so every probabilistic policy decision
 * (replicate this task? spot-check this host now?) can be replayed: the coordinator
 * passes `Math.random`, while the simulator and the tests pass `seededRandom(seed)` and
 * get the same run every time. The generator is sfc32 (Chris Doty-Humphrey's small fast
 * counting generator, 128 bits of state, passes PractRand) seeded through splitmix32,
 * so nearby seeds give unrelated streams. Not for secrets.
 */

/** A source of uniform numbers in [0, 1); `Math.random` is one. */
export type Random = () => number;

/** A reproducible `Random` for a 32-bit seed. */
export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  // The first outputs of a fresh state are the least mixed.
  for (let i = 0; i < 12; i++) next();
  return () => next() / 4294967296;
}
