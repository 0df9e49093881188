/**
 * @module
 * Exponential backoff with full jitter, for everything the agent retries: reconnecting
 * the work stream, resending reports, re-registering, polling an idle coordinator.
 * Jitter spreads a fleet of agents that all lost the same coordinator at the same
 * instant, so they do not return in one thundering herd when it restarts. Pure: the
 * caller supplies the random source and does the waiting.
 */

/** Shape of a backoff schedule. */
export interface BackoffPolicy {
  /** Delay ceiling of the first retry, in ms. */
  readonly initialMs: number;
  /** Largest delay ever returned, in ms. */
  readonly maxMs: number;
  /** Growth of the ceiling per consecutive failure. */
  readonly factor: number;
  /**
   * Fraction of the ceiling that is randomised: 0 waits exactly the ceiling, 1 waits
   * anywhere in [0, ceiling] ("full jitter").
   */
  readonly jitter: number;
}

/** Retrying calls to a coordinator that is restarting or briefly unreachable. */
export const RECONNECT_BACKOFF: BackoffPolicy = {
  initialMs: 250,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.5,
};

/**
 * Delay before retry number `attempt` (0 for the first retry) under `policy`.
 * The ceiling grows as initialMs · factor^attempt up to maxMs; the delay is drawn from
 * [ceiling · (1 − jitter), ceiling].
 */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.floor(attempt));
  const ceiling = Math.min(policy.maxMs, policy.initialMs * policy.factor ** exponent);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(ceiling * (1 - jitter * random()));
}

/** A retry counter bound to a policy: `next()` after a failure, `reset()` after a success. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /** Failures since the last success. */
  get failures(): number {
    return this.attempt;
  }

  /** The delay to wait before the next try; each call counts one more failure. */
  next(): number {
    const delay = backoffDelay(this.policy, this.attempt, this.random);
    this.attempt += 1;
    return delay;
  }

  reset(): void {
    this.attempt = 0;
  }
}
