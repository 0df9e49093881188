import { AnygridError, ErrorCode, NotFoundError } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { Backoff, isRetryable, type RetryNotice } from './retry.js';

describe('retrying', () => {
  it('retries outages and coordinator faults but not client mistakes', () => {
    expect(isRetryable(new AnygridError(ErrorCode.UNAVAILABLE, 'down'))).toBe(true);
    expect(isRetryable(new AnygridError(ErrorCode.INTERNAL, 'bug'))).toBe(true);
    expect(isRetryable(new NotFoundError('job', 1))).toBe(false);
    expect(isRetryable(new TypeError('terminated'))).toBe(true);
  });

  it('gives up once failing for longer than the policy allows', async () => {
    const backoff = new Backoff({ initialDelayMs: 1, maxDelayMs: 1, maxElapsedMs: 30 });
    const err = new AnygridError(ErrorCode.UNAVAILABLE, 'down');
    const started = Date.now();
    await expect(
      (async () => {
        for (;;) await backoff.wait(err);
      })(),
    ).rejects.toBe(err);
    expect(Date.now() - started).toBeGreaterThanOrEqual(30);
  });

  it('tells the caller before each wait what failed, how long it waits and for how long yet', async () => {
    const notices: RetryNotice[] = [];
    const backoff = new Backoff({
      initialDelayMs: 2,
      maxDelayMs: 4,
      maxElapsedMs: 60_000,
      onRetry: (n) => notices.push(n),
    });
    const err = new AnygridError(ErrorCode.UNAVAILABLE, 'down');
    await backoff.wait(err);
    await backoff.wait(err);
    expect(notices).toHaveLength(2);
    expect(notices[0]?.error).toBe(err);
    expect(notices[0]?.failingForMs).toBe(0);
    expect(notices[1]?.delayMs).toBeGreaterThan(notices[0]?.delayMs ?? Infinity);
    expect(notices[1]?.giveUpInMs).toBeLessThanOrEqual(60_000);
    // A mistake is not retried, and not announced.
    await expect(backoff.wait(new NotFoundError('job', 1))).rejects.toBeInstanceOf(NotFoundError);
    expect(notices).toHaveLength(2);
  });

  it('never gives up on pauses, which are not failures', async () => {
    const backoff = new Backoff({ initialDelayMs: 1, maxDelayMs: 1, maxElapsedMs: 0 });
    const pauses = (async () => {
      for (let i = 0; i < 5; i++) await backoff.pause();
    })();
    await expect(pauses).resolves.toBeUndefined();
  });
});
