/**
 * @module
 * Retrying through coordinator restarts and dropped connections: which failures are
 * worth retrying, and capped exponential backoff with jitter between attempts.
 */

import { AnygridError } from '@anygrid/protocol';

/** How long the SDK keeps retrying a stream or a page before giving up. */
export interface RetryPolicy {
  /** First delay in milliseconds (default 250). */
  readonly initialDelayMs?: number;
  /** Largest delay in milliseconds (default 5000). */
  readonly maxDelayMs?: number;
  /** Give up after failing continuously for this long (default 10 minutes). */
  readonly maxElapsedMs?: number;
}

/** True when the same request may succeed later: network failures, 5xx, UNAVAILABLE. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof AnygridError) return err.retryable;
  // A body stream cut mid-read surfaces as a TypeError ('terminated') or similar.
  return err instanceof Error && err.name !== 'AbortError';
}

/** Tracks consecutive failures and sleeps the next backoff delay. */
export class Backoff {
  private attempt = 0;
  private failingSince: number | undefined;

  constructor(private readonly policy: RetryPolicy = {}) {}

  /** Call after a success: the next failure starts from the first delay again. */
  reset(): void {
    this.attempt = 0;
    this.failingSince = undefined;
  }

  /**
   * Waits before the next attempt, or rethrows `err` when it is not retryable or the
   * policy's time is up.
   */
  async wait(err: unknown, signal?: AbortSignal): Promise<void> {
    if (!isRetryable(err)) throw err;
    const now = Date.now();
    this.failingSince ??= now;
    if (now - this.failingSince > (this.policy.maxElapsedMs ?? 600_000)) throw err;
    await this.pause(signal);
  }

  /** Sleeps the next delay without counting it as a failure (e.g. a quiet but healthy stream). */
  async pause(signal?: AbortSignal): Promise<void> {
    const base = this.policy.initialDelayMs ?? 250;
    const cap = this.policy.maxDelayMs ?? 5000;
    const delay = Math.min(cap, base * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt++;
    await sleep(delay, signal);
  }
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
