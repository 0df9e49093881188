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
  /**
   * Called before each wait after a failure, so that a program can say what it waits for
   * (a coordinator that stopped answering looks like a hang otherwise).
   */
  readonly onRetry?: (retry: RetryNotice) => void;
}

/** What `RetryPolicy.onRetry` is told. */
export interface RetryNotice {
  /** The failure that will be retried. */
  readonly error: unknown;
  /** How long until the next attempt, ms. */
  readonly delayMs: number;
  /** How long the failures have lasted, ms, and how long they may yet before giving up. */
  readonly failingForMs: number;
  readonly giveUpInMs: number;
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
    const failingForMs = now - this.failingSince;
    const maxMs = this.policy.maxElapsedMs ?? 600_000;
    if (failingForMs > maxMs) throw err;
    const delayMs = this.nextDelay();
    this.policy.onRetry?.({ error: err, delayMs, failingForMs, giveUpInMs: maxMs - failingForMs });
    await sleep(delayMs, signal);
  }

  /** Sleeps the next delay without counting it as a failure (e.g. a quiet but healthy stream). */
  async pause(signal?: AbortSignal): Promise<void> {
    await sleep(this.nextDelay(), signal);
  }

  private nextDelay(): number {
    const base = this.policy.initialDelayMs ?? 250;
    const cap = this.policy.maxDelayMs ?? 5000;
    const delay = Math.min(cap, base * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt++;
    return delay;
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
