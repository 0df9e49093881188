/**
 * @module
 * What the agent tells the coordinator about the large blobs it holds, for data
 * locality: the whole list when it registers, then with work requests only what changed
 * since the coordinator last took a report, and the whole list again every few minutes
 * (the coordinator keeps these hints in memory; a restarted one learns them back). The
 * cache's `version` says when anything may have changed, so a pull that changes nothing
 * costs one comparison. Lists are cut at the protocol's bound.
 */

import { type BlobInventoryDeltaInput, MAX_REPORTED_BLOBS } from '@anygrid/protocol';
import type { InventorySource } from './coordinator-client.js';

/** How often the whole inventory is sent again. */
export const FULL_INVENTORY_MS = 5 * 60_000;

/** What the inventory needs of the blob cache. */
export interface HeldBlobs {
  readonly version: number;
  /** Download speed measured, bytes per second, once a large blob was downloaded. */
  readonly bandwidth?: number | undefined;
  largeHashes(): string[];
}

/** A measured speed this much off the one reported is reported again. */
const SPEED_CHANGE = 0.25;

export class BlobInventory implements InventorySource {
  /** What the coordinator has been told. */
  private reported = new Set<string>();
  private reportedVersion = Number.NaN;
  private lastFull = Number.NEGATIVE_INFINITY;
  private reportedSpeed: number | undefined;

  constructor(
    private readonly blobs: HeldBlobs,
    private readonly fullEveryMs = FULL_INVENTORY_MS,
  ) {}

  /** The whole list, for registration; counts as reported. */
  whole(now: number): string[] {
    const held = this.blobs.largeHashes().slice(0, MAX_REPORTED_BLOBS);
    this.reported = new Set(held);
    this.reportedVersion = this.blobs.version;
    this.lastFull = now;
    return held;
  }

  delta(now: number): BlobInventoryDeltaInput | undefined {
    const speed = this.speedToReport();
    if (now - this.lastFull >= this.fullEveryMs) {
      return { held: this.blobs.largeHashes().slice(0, MAX_REPORTED_BLOBS), full: true, ...speed };
    }
    if (this.blobs.version === this.reportedVersion) return speed.bandwidth ? speed : undefined;
    const current = new Set(this.blobs.largeHashes());
    const held = [...current].filter((h) => !this.reported.has(h)).slice(0, MAX_REPORTED_BLOBS);
    const dropped = [...this.reported].filter((h) => !current.has(h)).slice(0, MAX_REPORTED_BLOBS);
    if (held.length === 0 && dropped.length === 0) {
      this.reportedVersion = this.blobs.version;
      return speed.bandwidth ? speed : undefined;
    }
    return { held, dropped, ...speed };
  }

  /** `{ bandwidth }` when the measured speed is new or has moved since it was reported. */
  private speedToReport(): { bandwidth?: number } {
    const speed = this.blobs.bandwidth;
    if (speed === undefined || speed < 1000) return {};
    const last = this.reportedSpeed;
    if (last !== undefined && Math.abs(speed - last) <= SPEED_CHANGE * last) return {};
    return { bandwidth: Math.min(1e11, Math.round(speed)) };
  }

  confirm(delta: BlobInventoryDeltaInput, now: number): void {
    if (delta.bandwidth !== undefined) this.reportedSpeed = delta.bandwidth;
    if (delta.full) {
      this.reported = new Set(delta.held);
      this.lastFull = now;
    } else {
      for (const h of delta.held ?? []) this.reported.add(h);
      for (const h of delta.dropped ?? []) this.reported.delete(h);
    }
    // A change that came after the delta was made shows up as a new version next time.
    this.reportedVersion = Number.NaN;
  }
}
