import { describe, expect, it } from 'vitest';
import { ReportQueue } from './report-queue.js';

interface Item {
  replicaId: number;
  size: number;
}
const item = (replicaId: number, size = 10): Item => ({ replicaId, size });
const queue = (maxCount = 3, maxBytes = 100) =>
  new ReportQueue<Item>((i) => i.size, { maxCount, maxBytes });
const ids = (batch: Item[]) => batch.map((i) => i.replicaId);

describe('ReportQueue', () => {
  it('hands out reports oldest first in batches of at most maxCount', () => {
    const q = queue(3);
    for (let id = 1; id <= 7; id++) q.add(item(id));
    expect(q.full).toBe(true);
    expect(ids(q.take())).toEqual([1, 2, 3]);
    expect(ids(q.take())).toEqual([4, 5, 6]);
    expect(ids(q.take())).toEqual([7]);
    expect(q.take()).toEqual([]);
    expect(q.size).toBe(7);
    expect(q.waiting).toBe(0);
  });

  it('stops a batch before it passes maxBytes, but always sends at least one report', () => {
    const q = queue(10, 100);
    q.add(item(1, 60));
    q.add(item(2, 60));
    q.add(item(3, 500));
    expect(ids(q.take())).toEqual([1]);
    expect(ids(q.take())).toEqual([2]);
    expect(ids(q.take())).toEqual([3]);
  });

  it('keeps a failed batch and resends it first, ahead of newer reports', () => {
    const q = queue(2);
    q.add(item(1));
    q.add(item(2));
    const batch = q.take();
    q.add(item(3));
    q.release(batch);
    expect(ids(q.take())).toEqual([1, 2]);
    expect(ids(q.take())).toEqual([3]);
  });

  it('forgets only acknowledged reports', () => {
    const q = queue(5);
    for (let id = 1; id <= 3; id++) q.add(item(id));
    const batch = q.take();
    q.remove([1, 3]);
    q.release(batch);
    expect(q.ids()).toEqual([2]);
    expect(ids(q.take())).toEqual([2]);
  });

  it('does not hand out a report already in flight', () => {
    const q = queue(5);
    q.add(item(1));
    q.take();
    q.add(item(2));
    expect(ids(q.take())).toEqual([2]);
  });

  it('ignores a second report for a replica still queued', () => {
    const q = queue(5);
    expect(q.add(item(1, 10))).toBe(true);
    expect(q.add(item(1, 99))).toBe(false);
    expect(q.take()).toEqual([item(1, 10)]);
  });

  it('takes smaller batches on request, to isolate a report the coordinator refuses', () => {
    const q = queue(5);
    for (let id = 1; id <= 4; id++) q.add(item(id));
    expect(ids(q.take(2))).toEqual([1, 2]);
    expect(ids(q.take(0))).toEqual([3]);
  });
});
