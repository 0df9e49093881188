import { AnygridError, ErrorCode, NotFoundError } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { Backoff, isRetryable } from './retry.js';

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

  it('never gives up on pauses, which are not failures', async () => {
    const backoff = new Backoff({ initialDelayMs: 1, maxDelayMs: 1, maxElapsedMs: 0 });
    const pauses = (async () => {
      for (let i = 0; i < 5; i++) await backoff.pause();
    })();
    await expect(pauses).resolves.toBeUndefined();
  });
});
