/**
 * @module
 * How many anonymous provider accounts one address may make (the volunteer page makes
 * one on a browser's first visit): at most `perWindow` in any sliding `windowMs`. A page
 * keeps its identity in the browser, so an honest volunteer needs one per browser; a
 * script minting accounts to dodge a host's record or quarantine is held to a trickle.
 * Pure: the caller keeps each address's recent sign-up times.
 */

export interface SignupRate {
  /** Sign-ups allowed per address in any window. */
  readonly perWindow: number;
  readonly windowMs: number;
}

/** Twenty an hour: a classroom behind one NAT gets started; a script does not get far. */
export const DEFAULT_SIGNUP_RATE: SignupRate = { perWindow: 20, windowMs: 60 * 60_000 };

/** The decision, with the sign-up times to keep for the address afterwards. */
export type SignupDecision =
  | { readonly allowed: true; readonly kept: readonly number[] }
  | { readonly allowed: false; readonly retryAfterMs: number; readonly kept: readonly number[] };

/** Whether an address whose earlier sign-ups were at `times` (oldest first) may sign up at `now`. */
export function decideSignup(
  times: readonly number[],
  now: number,
  rate: SignupRate = DEFAULT_SIGNUP_RATE,
): SignupDecision {
  const recent = times.filter((t) => t > now - rate.windowMs);
  if (recent.length < rate.perWindow) return { allowed: true, kept: [...recent, now] };
  const oldest = recent[recent.length - rate.perWindow] as number;
  return { allowed: false, retryAfterMs: oldest + rate.windowMs - now, kept: recent };
}
