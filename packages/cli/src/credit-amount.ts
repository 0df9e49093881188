/**
 * @module
 * Amounts of money as people type and read them: credits with up to six decimals
 * ("1.5"), exactly the protocol's whole micro-credits (pricing.ts), never through a float.
 */

import { MICROS_PER_CREDIT } from '@anygrid/protocol';
import { InvalidArgumentError } from 'commander';

const DECIMALS = 6;

/** `--ask-cpu 0.002`, `credit 10`: credits, to micro-credits. */
export function creditsOption(value: string): number {
  const m = /^(\d{1,12})(?:\.(\d{1,6}))?$/.exec(value.trim());
  if (!m) {
    throw new InvalidArgumentError(
      'an amount of credits like 10 or 0.0025 (at most six decimals, not negative)',
    );
  }
  const whole = Number(m[1]) * MICROS_PER_CREDIT;
  const fraction = Number((m[2] ?? '').padEnd(DECIMALS, '0'));
  return whole + fraction;
}

/** Micro-credits as credits with six decimals, e.g. 1500000 → "1.500000". */
export function formatCredits(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const whole = Math.floor(abs / MICROS_PER_CREDIT);
  const fraction = String(abs % MICROS_PER_CREDIT).padStart(DECIMALS, '0');
  return `${sign}${whole}.${fraction}`;
}
