/**
 * @module
 * Parsers for numeric and repeatable command-line options, so a bad value is a usage
 * error (exit 2) that names the option rather than a NaN sent to the coordinator.
 */

import { InvalidArgumentError } from 'commander';

/** An integer option within bounds. */
export function intOption(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return n;
  };
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A finite number option, at least `min` (1e-9, 0.5, 3 are all fine). */
export function numberOption(min: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min) {
      throw new InvalidArgumentError(`expected a number from ${min}`);
    }
    return n;
  };
}
