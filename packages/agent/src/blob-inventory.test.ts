import { describe, expect, it } from 'vitest';
import { BlobInventory } from './blob-inventory.js';

const h = (c: string) => c.repeat(64);

/** The cache as the inventory sees it: a version and the large hashes held. */
function heldBlobs(initial: string[]) {
  const state = { version: 0, hashes: [...initial], bandwidth: undefined as number | undefined };
  return {
    state,
    get version() {
      return state.version;
    },
    get bandwidth() {
      return state.bandwidth;
    },
    largeHashes: () => [...state.hashes],
    set(hashes: string[]) {
      state.hashes = hashes;
      state.version++;
    },
  };
}

describe('BlobInventory', () => {
  it('reports the whole list at registration, then only what changed, once confirmed', () => {
    const blobs = heldBlobs([h('a')]);
    const inv = new BlobInventory(blobs, 60_000);
    expect(inv.whole(0)).toEqual([h('a')]);
    expect(inv.delta(1)).toBeUndefined();

    blobs.set([h('a'), h('b')]);
    const gained = inv.delta(2);
    expect(gained).toEqual({ held: [h('b')], dropped: [] });
    // Not confirmed (the work request failed): the same change is offered again.
    expect(inv.delta(3)).toEqual(gained);
    inv.confirm(gained as NonNullable<typeof gained>, 3);
    expect(inv.delta(4)).toBeUndefined();

    blobs.set([h('b')]);
    const lost = inv.delta(5);
    expect(lost).toEqual({ held: [], dropped: [h('a')] });
    inv.confirm(lost as NonNullable<typeof lost>, 5);
    expect(inv.delta(6)).toBeUndefined();
  });

  it('sends the whole list again after the full-report interval', () => {
    const blobs = heldBlobs([h('a')]);
    const inv = new BlobInventory(blobs, 60_000);
    inv.whole(0);
    const full = inv.delta(60_000);
    expect(full).toEqual({ held: [h('a')], full: true });
    inv.confirm(full as NonNullable<typeof full>, 60_000);
    expect(inv.delta(60_001)).toBeUndefined();
  });

  it('reports the measured download speed once, and again when it moves by more than a quarter', () => {
    const blobs = heldBlobs([]);
    const inv = new BlobInventory(blobs, 60_000);
    inv.whole(0);
    blobs.state.bandwidth = 8_000_000;
    const first = inv.delta(1);
    expect(first).toEqual({ bandwidth: 8_000_000 });
    inv.confirm(first as NonNullable<typeof first>, 1);
    blobs.state.bandwidth = 9_000_000;
    expect(inv.delta(2)).toBeUndefined();
    blobs.state.bandwidth = 2_000_000;
    expect(inv.delta(3)).toEqual({ bandwidth: 2_000_000 });
  });
});
