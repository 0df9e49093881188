import { describe, expect, it } from 'vitest';
import {
  type AvailabilityRecord,
  availability,
  availabilitySlot,
  markConnected,
  AVAILABILITY_SLOT_MS as Q,
} from './availability.js';

const DAY = 96 * Q;
const T0 = 1_000 * DAY;

/** Marks the host seen at each of these instants, in order. */
function seenAt(times: readonly number[]): AvailabilityRecord | null {
  let record: AvailabilityRecord | null = null;
  for (const t of times) record = markConnected(record, t) ?? record;
  return record;
}

describe('availability', () => {
  it('is 1 for a new host connected since it registered, and null for a host never seen', () => {
    expect(availability(seenAt([T0]), T0, T0 + 60_000)).toBe(1);
    expect(availability(seenAt([T0, T0 + Q, T0 + 2 * Q]), T0, T0 + 2 * Q)).toBe(1);
    expect(availability(null, T0, T0)).toBeNull();
  });

  it('counts the quarter-hours of the last day the host was seen in, over all 96 once it is a day old', () => {
    // Seen every quarter-hour of the first half of a day, then gone.
    const halfDay = Array.from({ length: 48 }, (_, i) => T0 + i * Q);
    const record = seenAt(halfDay);
    expect(availability(record, T0, T0 + 47 * Q)).toBe(1);
    expect(availability(record, T0, T0 + 95 * Q)).toBe(0.5);
    // A day after its last quarter-hour, the old ones have left the window.
    expect(availability(record, T0, T0 + 47 * Q + 72 * Q)).toBeCloseTo(24 / 96, 10);
    expect(availability(record, T0, T0 + 47 * Q + DAY)).toBe(0);
    expect(availability(record, T0, T0 + 10 * DAY)).toBe(0);
  });

  it('writes once per quarter-hour: seeing the host again in the same one changes nothing', () => {
    const first = markConnected(null, T0);
    expect(first).not.toBeNull();
    expect(markConnected(first, T0 + 1000)).toBeNull();
    const next = markConnected(first, T0 + Q);
    expect(next?.slot).toBe(availabilitySlot(T0) + 1);
    expect(next?.bits).toMatch(/^[0-9a-f]{24}$/);
  });

  it('sees a host every other quarter-hour as half available', () => {
    const times = Array.from({ length: 200 }, (_, i) => T0 + i * 2 * Q);
    const record = seenAt(times);
    expect(availability(record, T0, T0 + 199 * 2 * Q)).toBe(0.5);
  });

  it('marks an older slot when the clock went back, and ignores one older than a day', () => {
    const record = seenAt([T0 + 10 * Q]);
    const back = markConnected(record, T0 + 9 * Q);
    expect(back?.slot).toBe(record?.slot);
    expect(availability(back, T0, T0 + 10 * Q)).toBe(2 / 11);
    expect(markConnected(record, T0 + 10 * Q - DAY - Q)).toBeNull();
  });

  it('reads a damaged record as never seen rather than failing', () => {
    expect(availability({ slot: availabilitySlot(T0), bits: 'zz' }, T0, T0)).toBe(0);
  });
});
