/**
 * @module
 * A host's availability: the fraction of the last day it was connected. The day is cut
 * into 96 quarter-hours; a host's record is one bit per quarter-hour (newest first) and
 * the quarter-hour of its newest bit, so it costs a few bytes a host and at most one
 * write per host per quarter-hour, whatever the traffic. A quarter-hour counts when the
 * host was seen in it at all: registering, pulling, reporting, heartbeating or holding
 * the work stream open. A host younger than a day is judged over the quarter-hours since
 * it registered, so a new host that stays connected is at 1, not at 1/96. Pure: time
 * is an argument; the bits travel as 24 hex digits, which any store keeps as text.
 */

/** Length of one availability slot. */
export const AVAILABILITY_SLOT_MS = 15 * 60_000;

/** Slots in the window: one day. */
export const AVAILABILITY_SLOTS = 96;

const MASK = (1n << BigInt(AVAILABILITY_SLOTS)) - 1n;
const HEX_DIGITS = AVAILABILITY_SLOTS / 4;

/** What the store keeps of a host's connected quarter-hours. */
export interface AvailabilityRecord {
  /** The newest slot recorded (`availabilitySlot` of when it was seen). */
  readonly slot: number;
  /** Bit i set: the host was connected in slot `slot - i`; 24 hex digits. */
  readonly bits: string;
}

/** The slot an instant falls in. */
export function availabilitySlot(now: number): number {
  return Math.floor(now / AVAILABILITY_SLOT_MS);
}

function bitsOf(record: AvailabilityRecord): bigint {
  return /^[0-9a-f]{1,24}$/.test(record.bits) ? BigInt(`0x${record.bits}`) & MASK : 0n;
}

function hex(bits: bigint): string {
  return bits.toString(16).padStart(HEX_DIGITS, '0');
}

/**
 * The record once the host was seen at `now`; null when it already says so (nothing to
 * write). A clock that went back marks the older slot inside the window, if it still is.
 */
export function markConnected(
  record: AvailabilityRecord | null,
  now: number,
): AvailabilityRecord | null {
  const slot = availabilitySlot(now);
  if (record === null) return { slot, bits: hex(1n) };
  const bits = bitsOf(record);
  const shift = slot - record.slot;
  if (shift > 0) {
    const moved = shift >= AVAILABILITY_SLOTS ? 0n : (bits << BigInt(shift)) & MASK;
    return { slot, bits: hex(moved | 1n) };
  }
  const back = -shift;
  if (back >= AVAILABILITY_SLOTS) return null;
  const bit = 1n << BigInt(back);
  return (bits & bit) !== 0n ? null : { slot: record.slot, bits: hex(bits | bit) };
}

function popcount(bits: bigint): number {
  let n = 0;
  for (let b = bits; b !== 0n; b &= b - 1n) n++;
  return n;
}

/**
 * The fraction of the last day (or of the time since `createdAt`, when less) the host
 * was connected, in [0, 1]; null without a record (a host not seen since this was kept).
 */
export function availability(
  record: AvailabilityRecord | null,
  createdAt: number,
  now: number,
): number | null {
  if (record === null) return null;
  const slot = Math.max(availabilitySlot(now), record.slot);
  const shift = slot - record.slot;
  if (shift >= AVAILABILITY_SLOTS) return 0;
  const seen = popcount((bitsOf(record) << BigInt(shift)) & MASK);
  const lived = Math.max(1, slot - availabilitySlot(createdAt) + 1);
  return Math.min(1, seen / Math.min(AVAILABILITY_SLOTS, lived));
}
