import { describe, expect, it } from 'vitest';
import {
  blobExpired,
  JANITOR_TURN_MAX_MS,
  JANITOR_TURN_MS,
  janitorTurnMs,
  nextPurgeBatch,
  PURGE_STEP_TASKS,
  pagesToReclaim,
  parseDuration,
  parseRetention,
  purgeCutoff,
} from './retention.js';

describe('retention policy', () => {
  it('reads durations with units, bare numbers as seconds', () => {
    expect(parseDuration('3d')).toBe(3 * 24 * 3600_000);
    expect(parseDuration('12h')).toBe(12 * 3600_000);
    expect(parseDuration('30m')).toBe(30 * 60_000);
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5h')).toBe(5400_000);
    expect(parseDuration('2w')).toBe(14 * 24 * 3600_000);
    expect(parseDuration('10')).toBe(10_000);
    expect(parseDuration('3 days')).toBeNull();
    expect(parseDuration('-1d')).toBeNull();
    expect(parseDuration('')).toBeNull();
  });

  it('takes 0 and off as never purging, and refuses what is not a duration', () => {
    expect(parseRetention('off')).toBeNull();
    expect(parseRetention('0')).toBeNull();
    expect(parseRetention('0s')).toBeNull();
    expect(parseRetention('3d')).toBe(3 * 24 * 3600_000);
    expect(parseRetention('soon')).toBeUndefined();
  });

  it('makes a job due once its retention has passed since it finished', () => {
    const finishedAt = 1_000_000;
    const retention = 5_000;
    expect(finishedAt <= purgeCutoff(finishedAt + 4_999, retention)).toBe(false);
    expect(finishedAt <= purgeCutoff(finishedAt + 5_000, retention)).toBe(true);
  });

  it('keeps an unused blob through its grace period after its last upload', () => {
    expect(blobExpired(10_000, 10_000 + 59_999, 60_000)).toBe(false);
    expect(blobExpired(10_000, 10_000 + 60_000, 60_000)).toBe(true);
  });

  it('sizes purge steps towards the target time, changing by at most 2x a step, within bounds', () => {
    expect(nextPurgeBatch(1000, 2, 4)).toBe(2000);
    expect(nextPurgeBatch(1000, 40, 4)).toBe(500);
    expect(nextPurgeBatch(1000, 5, 4)).toBe(800);
    expect(nextPurgeBatch(1000, 0, 4)).toBe(2000);
    expect(nextPurgeBatch(PURGE_STEP_TASKS.max, 1, 4)).toBe(PURGE_STEP_TASKS.max);
    expect(nextPurgeBatch(PURGE_STEP_TASKS.min, 1000, 4)).toBe(PURGE_STEP_TASKS.min);
  });

  it('gives back only the free pages beyond a slack kept for new tasks', () => {
    const slack = { pages: 256, share: 0.125 };
    expect(pagesToReclaim(100, 1000, slack)).toBe(0);
    expect(pagesToReclaim(1000, 1600, slack)).toBe(744);
    expect(pagesToReclaim(50_000, 100_000, slack)).toBe(37_500);
    expect(pagesToReclaim(10_000, 100_000, slack)).toBe(0);
  });

  it('writes longer turns while jobs wait to be purged, up to a bound', () => {
    expect(janitorTurnMs(0)).toBe(JANITOR_TURN_MS);
    expect(janitorTurnMs(1)).toBe(JANITOR_TURN_MS);
    expect(janitorTurnMs(3)).toBe(3 * JANITOR_TURN_MS);
    expect(janitorTurnMs(1000)).toBe(JANITOR_TURN_MAX_MS);
  });
});
