import { describe, expect, it } from 'vitest';
import { decideSignup } from './signup-rate.js';

const rate = { perWindow: 2, windowMs: 1000 };

describe('decideSignup', () => {
  it('allows perWindow sign-ups in a window, then refuses until the oldest leaves it', () => {
    const a = decideSignup([], 0, rate);
    expect(a.allowed).toBe(true);
    const b = decideSignup(a.kept, 100, rate);
    expect(b.allowed).toBe(true);
    const c = decideSignup(b.kept, 200, rate);
    expect(c).toEqual({ allowed: false, retryAfterMs: 800, kept: [0, 100] });
    const d = decideSignup(c.kept, 1000, rate);
    expect(d).toEqual({ allowed: true, kept: [100, 1000] });
  });

  it('forgets sign-ups older than the window', () => {
    expect(decideSignup([1, 2, 3], 5000, rate)).toEqual({ allowed: true, kept: [5000] });
  });
});
