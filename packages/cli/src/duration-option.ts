/**
 * @module
 * Parsers for duration options (`--retention 3d`, `--blob-grace 30m`), so a bad value is a
 * usage error naming the option, read by the same rules as the coordinator's policy.
 */

import { parseDuration, parseRetention } from '@anygrid/coordinator/policy';
import { InvalidArgumentError } from 'commander';

/** A duration such as 3d, 12h, 30m, 45s or 500ms (a bare number is seconds), in ms. */
export function durationOption(value: string): number {
  const ms = parseDuration(value);
  if (ms === null)
    throw new InvalidArgumentError('expected a duration such as 3d, 12h, 30m or 45s');
  return ms;
}

/**
 * A time limit in ms, at least `min`: a duration such as 10m, 30s or 1500ms, or a bare
 * number of milliseconds (what these options always took, so old command lines keep
 * their meaning).
 */
export function msOption(min: number): (value: string) => number {
  return (value: string) => {
    const v = value.trim();
    const ms = /^\d+$/.test(v) ? Number(v) : parseDuration(v);
    if (ms === null || !Number.isSafeInteger(ms) || ms < min) {
      throw new InvalidArgumentError(
        `expected a duration of at least ${min} ms, such as 10m, 30s or 1500ms (a bare number is milliseconds)`,
      );
    }
    return ms;
  };
}

/** A retention: a duration in ms, or null for `0` / `off` (never purge). */
export function retentionOption(value: string): number | null {
  const ms = parseRetention(value);
  if (ms === undefined) {
    throw new InvalidArgumentError('expected a duration such as 7d, 12h or 30s, or 0 / off');
  }
  return ms;
}
