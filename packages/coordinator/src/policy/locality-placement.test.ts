import { LOCALITY_BLOB_BYTES } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { BlobLocality, HOLDER_LIVE_MS, MAX_BLOBS_PER_HOST } from './blob-locality.js';
import { largeBlobs, largeBlobsFromList } from './large-blobs.js';
import { type LocalityView, ReadyQueue, type ReadyReplica } from './ready-queue.js';
import { worthFetching } from './transfer-choice.js';

const MB = 1_000_000;
const BIG = { hash: 'b'.repeat(64), size: 50 * MB };
const OTHER = { hash: 'c'.repeat(64), size: 20 * MB };

const plain = (replicaId: number, priority = 0): ReadyReplica => ({
  replicaId,
  taskId: replicaId,
  jobId: 1,
  accountId: 1,
  priority,
});
const needing = (replicaId: number, blob = BIG, priority = 0): ReadyReplica => ({
  ...plain(replicaId, priority),
  jobId: 2,
  large: [blob],
});

/** A locality view over a real index, every host on a 5 MB/s link. */
function viewOf(locality: BlobLocality, bandwidth = 5 * MB): LocalityView {
  return {
    holdsAny: (h) => locality.holdsAny(h),
    holds: (h, hash) => locality.holds(h, hash),
    liveHolder: (hashes, h, now) => locality.liveHolder(hashes, h, now),
    bandwidth: () => bandwidth,
  };
}

const ids = (rs: readonly ReadyReplica[]) => rs.map((r) => r.replicaId);

describe('placement by data locality', () => {
  it('serves a host the replicas whose large inputs it holds before plain ones', () => {
    const locality = new BlobLocality();
    locality.apply(7, { held: [BIG.hash], dropped: [], full: true });
    const q = new ReadyQueue();
    q.push([plain(1), plain(2), needing(3), needing(4)]);
    expect(ids(q.take(7, 3, 0, viewOf(locality)))).toEqual([3, 4, 1]);
  });

  it('gives a replica whose large input nobody holds to whoever pulls, after plain work', () => {
    const q = new ReadyQueue();
    q.push([needing(1), plain(2)]);
    expect(ids(q.take(9, 5, 0, viewOf(new BlobLocality())))).toEqual([2, 1]);
  });

  it('keeps a replica from a host without its input while holders drain the backlog sooner than the transfer', () => {
    const locality = new BlobLocality();
    const view = viewOf(locality);
    const q = new ReadyQueue();
    q.push(Array.from({ length: 40 }, (_, i) => needing(i + 1)));
    // Host 1 holds the input and takes 4 a second for 20 s: 40 left drain in ~10 s.
    locality.apply(1, { held: [BIG.hash], dropped: [], full: true });
    q.push(Array.from({ length: 80 }, (_, i) => needing(100 + i)));
    for (let t = 0; t < 20_000; t += 1000) {
      locality.pulled(1, t);
      expect(q.take(1, 4, t, view)).toHaveLength(4);
    }
    expect(q.size).toBe(40);
    // Host 2 would need 10 s to fetch 50 MB at 5 MB/s: waiting for host 1 is as good.
    locality.pulled(2, 20_000);
    expect(q.take(2, 4, 20_000, view)).toEqual([]);
    // On a 50 MB/s link the transfer takes 1 s: worth it.
    expect(q.take(2, 4, 20_000, viewOf(locality, 50 * MB))).toHaveLength(4);
  });

  it('sends the replicas to a host without the input once the holders stop pulling', () => {
    const locality = new BlobLocality();
    const q = new ReadyQueue();
    q.push([needing(1), needing(2)]);
    locality.apply(1, { held: [BIG.hash], dropped: [], full: true });
    locality.pulled(1, 0);
    q.take(1, 1, 0, viewOf(locality));
    expect(q.take(2, 1, 1000, viewOf(locality, 1000))).toEqual([]);
    expect(ids(q.take(2, 1, HOLDER_LIVE_MS + 1, viewOf(locality, 1000)))).toEqual([2]);
  });

  it('still never gives one host two replicas of a task, inside a group', () => {
    const locality = new BlobLocality();
    locality.apply(7, { held: [BIG.hash], dropped: [], full: true });
    const q = new ReadyQueue();
    const r = needing(1);
    q.push([r, { ...r, replicaId: 2 }]);
    expect(ids(q.take(7, 5, 0, viewOf(locality)))).toEqual([1]);
    expect(ids(q.take(7, 5, 0, viewOf(locality)))).toEqual([]);
    expect(ids(q.take(8, 5, 0, viewOf(locality)))).toEqual([2]);
    expect(q.size).toBe(0);
  });

  it('keeps priorities first: a held group of lower priority waits behind higher work', () => {
    const locality = new BlobLocality();
    locality.apply(7, { held: [BIG.hash], dropped: [], full: true });
    const q = new ReadyQueue();
    q.push([needing(1, BIG, 0), plain(2, 5)]);
    expect(ids(q.take(7, 5, 0, viewOf(locality)))).toEqual([2, 1]);
  });

  it('holds a host to every blob of a task: holding one of two is not holding them', () => {
    const locality = new BlobLocality();
    locality.apply(7, { held: [BIG.hash], dropped: [], full: true });
    const q = new ReadyQueue();
    q.push([{ ...plain(1), large: [BIG, OTHER] }, plain(2)]);
    expect(ids(q.take(7, 1, 0, viewOf(locality)))).toEqual([2]);
  });
});

describe('BlobLocality', () => {
  it('applies deltas, replaces on a full report and forgets a host', () => {
    const l = new BlobLocality();
    l.apply(1, { held: [BIG.hash, OTHER.hash], dropped: [], full: false });
    l.apply(1, { held: [], dropped: [OTHER.hash], full: false });
    expect([l.holds(1, BIG.hash), l.holds(1, OTHER.hash)]).toEqual([true, false]);
    l.apply(1, { held: [OTHER.hash], dropped: [], full: true });
    expect([l.holds(1, BIG.hash), l.holds(1, OTHER.hash)]).toEqual([false, true]);
    l.pulled(1, 0);
    expect(l.liveHolder([OTHER.hash], 2, 10)).toBe(true);
    expect(l.liveHolder([OTHER.hash], 1, 10)).toBe(false);
    l.forget(1);
    expect(l.liveHolder([OTHER.hash], 2, 10)).toBe(false);
    expect(l.hosts).toBe(0);
  });

  it('keeps the download speed a host reports', () => {
    const l = new BlobLocality();
    expect(l.bandwidth(1)).toBeUndefined();
    l.apply(1, { held: [], dropped: [], full: false, bandwidth: 2 * MB });
    l.apply(1, { held: [BIG.hash], dropped: [], full: false });
    expect(l.bandwidth(1)).toBe(2 * MB);
  });

  it('keeps at most MAX_BLOBS_PER_HOST hashes per host', () => {
    const l = new BlobLocality();
    const many = Array.from({ length: MAX_BLOBS_PER_HOST + 10 }, (_, i) =>
      i.toString(16).padStart(64, '0'),
    );
    l.add(1, many);
    expect(l.holds(1, many[MAX_BLOBS_PER_HOST - 1] as string)).toBe(true);
    expect(l.holds(1, many[MAX_BLOBS_PER_HOST] as string)).toBe(false);
  });
});

describe('worthFetching', () => {
  it('weighs the holders backlog against the transfer time', () => {
    const c = { missingBytes: 50 * MB, bandwidth: 5 * MB, liveHolder: true };
    expect(worthFetching({ ...c, backlog: 100, takeRate: 4 })).toBe(true); // 25 s > 10 s
    expect(worthFetching({ ...c, backlog: 20, takeRate: 4 })).toBe(false); // 5 s < 10 s
    expect(worthFetching({ ...c, backlog: 20, takeRate: 0 })).toBe(true);
    expect(worthFetching({ ...c, backlog: 20, takeRate: 4, liveHolder: false })).toBe(true);
  });
});

describe('largeBlobs', () => {
  const small = { hash: 'a'.repeat(64), size: 10 };
  it('lists the module and inputs of at least LOCALITY_BLOB_BYTES once each, in hash order', () => {
    const big = { hash: 'f'.repeat(64), size: LOCALITY_BLOB_BYTES };
    expect(largeBlobs(small, { files: { a: small } })).toBeUndefined();
    expect(largeBlobs(BIG, { stdin: big, files: { x: big, y: small, z: OTHER } })).toEqual([
      BIG,
      OTHER,
      big,
    ]);
  });

  it('reads the list the store writes in SQL', () => {
    expect(largeBlobsFromList(small, null)).toBeUndefined();
    expect(
      largeBlobsFromList(small, `${BIG.hash}:${BIG.size},${OTHER.hash}:${OTHER.size}`),
    ).toEqual([BIG, OTHER]);
  });
});
