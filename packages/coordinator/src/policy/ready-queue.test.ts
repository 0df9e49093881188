import { describe, expect, it } from 'vitest';
import { ReadyQueue, type ReadyReplica } from './ready-queue.js';

const entry = (
  replicaId: number,
  taskId: number,
  extra: Partial<ReadyReplica> = {},
): ReadyReplica => ({
  replicaId,
  taskId,
  jobId: 1,
  accountId: 1,
  priority: 0,
  ...extra,
});

describe('ReadyQueue', () => {
  it('serves first come first served within a priority, higher priority first', () => {
    const q = new ReadyQueue();
    q.push([entry(1, 1)]);
    q.push([entry(2, 2)]);
    q.push([entry(3, 3, { priority: 5 })]);
    expect(q.take(7, 10).map((e) => e.replicaId)).toEqual([3, 1, 2]);
    expect(q.size).toBe(0);
  });

  it('never gives one host two replicas of a task, within a request or across requests', () => {
    const q = new ReadyQueue();
    q.push([1, 2, 3, 4].map((id) => entry(id, Math.ceil(id / 2))));
    expect(q.take(7, 10).map((e) => e.taskId)).toEqual([1, 2]);
    expect(q.take(7, 10)).toEqual([]);
    expect(q.take(8, 10).map((e) => e.replicaId)).toEqual([2, 4]);
  });

  it('honours hosts the store says already hold the task, and serves reissues first', () => {
    const q = new ReadyQueue();
    q.push([entry(1, 1)]);
    q.push([entry(2, 2, { excludedHosts: [7], reissue: true })]);
    expect(q.take(7, 10).map((e) => e.replicaId)).toEqual([1]);
    q.push([entry(3, 3)]);
    expect(q.take(8, 10).map((e) => e.replicaId)).toEqual([2, 3]);
  });

  it('drops a cancelled job lazily', () => {
    const q = new ReadyQueue();
    q.push([entry(1, 1, { jobId: 9 })]);
    q.push([entry(2, 2, { jobId: 3 })]);
    q.dropJob(9);
    expect(q.take(7, 10).map((e) => e.replicaId)).toEqual([2]);
    expect(q.size).toBe(0);
  });

  it('hands out every entry exactly once across many hosts', () => {
    const q = new ReadyQueue();
    q.push(Array.from({ length: 20_000 }, (_, i) => entry(i + 1, Math.floor(i / 2) + 1)));
    const seen = new Set<number>();
    const perTask = new Map<number, Set<number>>();
    for (let r = 0; q.size > 0 && r < 1000; r++) {
      const host = r % 7;
      for (const e of q.take(host, 500)) {
        expect(seen.has(e.replicaId)).toBe(false);
        seen.add(e.replicaId);
        const hosts = perTask.get(e.taskId) ?? new Set();
        expect(hosts.has(host)).toBe(false);
        perTask.set(e.taskId, hosts.add(host));
      }
    }
    expect(seen.size).toBe(20_000);
  });
});
