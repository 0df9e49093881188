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

  it('serves a dropped job again once new replicas of it come (a re-check reopened a task of an ended job)', () => {
    const q = new ReadyQueue();
    q.push([entry(1, 1, { jobId: 9 })]);
    q.dropJob(9);
    expect(q.take(7, 10)).toEqual([]);
    q.push([entry(2, 2, { jobId: 9, reissue: true }), entry(3, 3, { jobId: 9 })]);
    expect(q.take(7, 10).map((e) => e.replicaId)).toEqual([2, 3]);
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

  it('leaves the entries of jobs a host may not run for other hosts, asking once per run of a job', () => {
    const q = new ReadyQueue();
    q.push([1, 2, 3].map((id) => entry(id, id, { jobId: 1 })));
    q.push([4, 5].map((id) => entry(id, id, { jobId: 2 })));
    const asked: number[] = [];
    const onlyJob2 = (jobId: number) => {
      asked.push(jobId);
      return jobId === 2;
    };
    expect(q.take(7, 10, 0, undefined, onlyJob2).map((e) => e.replicaId)).toEqual([4, 5]);
    expect(asked).toEqual([1, 2]);
    expect(q.size).toBe(3);
    expect(q.take(8, 10).map((e) => e.replicaId)).toEqual([1, 2, 3]);
  });
});

/** `count` fresh replicas of one task each, of a job of an account, ids from `from`. */
const job = (
  jobId: number,
  accountId: number,
  count: number,
  from: number,
  priority = 0,
): ReadyReplica[] =>
  Array.from({ length: count }, (_, i) => ({
    replicaId: from + i,
    taskId: from + i,
    jobId,
    accountId,
    priority,
  }));

/** Takes `rounds` requests of `max` from hosts 1…7 in turn; counts replicas per key. */
function drain(
  q: ReadyQueue,
  rounds: number,
  max: number,
  key: (r: ReadyReplica) => number,
): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < rounds; i++) {
    for (const r of q.take((i % 7) + 1, max)) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  }
  return counts;
}

describe('ReadyQueue fair share', () => {
  it('gives two accounts of equal share half of the replicas each, whoever queued first', () => {
    const q = new ReadyQueue();
    q.push(job(1, 10, 50_000, 1));
    q.push(job(2, 20, 50_000, 100_001));
    const counts = drain(q, 200, 100, (r) => r.accountId);
    expect(counts.get(10)).toBe(10_000);
    expect(counts.get(20)).toBe(10_000);
  });

  it('shares 2:1 when an admin set shares 2 and 1', () => {
    const q = new ReadyQueue();
    q.setShare(10, 2);
    q.push(job(1, 10, 50_000, 1));
    q.push(job(2, 20, 50_000, 100_001));
    const counts = drain(q, 300, 100, (r) => r.accountId);
    expect((counts.get(10) ?? 0) / (counts.get(20) ?? 1)).toBeCloseTo(2, 1);
  });

  it('serves a small job of another account queued behind a huge one in the next request', () => {
    const q = new ReadyQueue();
    q.push(job(1, 10, 100_000, 1));
    q.take(1, 500);
    q.push(job(2, 20, 10, 200_001));
    const next = q.take(2, 64);
    expect(next.filter((r) => r.jobId === 2)).toHaveLength(10);
    expect(next).toHaveLength(64);
  });

  it('splits requests between jobs of one account and priority: a small job behind a huge one is served at once', () => {
    const q = new ReadyQueue();
    q.push(job(1, 10, 100_000, 1));
    q.take(1, 500);
    q.push(job(2, 10, 10, 200_001));
    const next = q.take(2, 64);
    expect(next.filter((r) => r.jobId === 2)).toHaveLength(10);
    // Over many requests, jobs of one account take turns evenly.
    q.push(job(3, 10, 100_000, 300_001));
    const counts = drain(q, 100, 100, (r) => r.jobId);
    expect(counts.get(1)).toBe(5000);
    expect(counts.get(3)).toBe(5000);
  });

  it('keeps priority within an account, while fair share holds between accounts', () => {
    const q = new ReadyQueue();
    q.push(job(1, 10, 1000, 1, 0));
    q.push(job(2, 10, 1000, 10_001, 5));
    q.push(job(3, 20, 1000, 20_001, 0));
    const first = q.take(1, 200);
    const ofAccount10 = first.filter((r) => r.accountId === 10);
    // Account 10's half is all from its high-priority job; account 20 still gets its half.
    expect(ofAccount10).toHaveLength(100);
    expect(ofAccount10.every((r) => r.jobId === 2)).toBe(true);
    expect(first.filter((r) => r.accountId === 20)).toHaveLength(100);
  });

  it('gives a host the other account’s work when it holds every task of the first', () => {
    const q = new ReadyQueue();
    q.push(job(1, 10, 5, 1).map((r) => ({ ...r, excludedHosts: [7] })));
    q.push(job(2, 20, 50, 101));
    expect(q.take(7, 20).map((r) => r.accountId)).toEqual(Array(20).fill(20));
    expect(q.take(8, 10).filter((r) => r.accountId === 10)).toHaveLength(5);
  });

  it('does not bill an account for replicas the store then refused', () => {
    const q = new ReadyQueue();
    q.push(job(1, 10, 10_000, 1));
    // Host 1 may take nothing of account 20, and the store refuses it all of account 10.
    q.push(job(2, 20, 10_000, 20_001).map((r) => ({ ...r, excludedHosts: [1] })));
    for (let i = 0; i < 50; i++) {
      const picks = q.take(1, 100);
      expect(picks.every((r) => r.accountId === 10)).toBe(true);
      q.refund(picks);
      q.push(picks);
    }
    // Nothing was sent: other hosts find the two accounts level.
    let tens = 0;
    for (let i = 0; i < 20; i++) {
      tens += q.take(2 + (i % 5), 100).filter((r) => r.accountId === 10).length;
    }
    expect(Math.abs(tens - 1000)).toBeLessThan(50);
  });

  it('drops a cancelled job’s lane as a whole and counts it out of the size', () => {
    const q = new ReadyQueue();
    q.push(job(1, 10, 1000, 1));
    q.push(job(2, 10, 10, 2001));
    q.dropJob(1);
    expect(q.take(1, 100).map((r) => r.jobId)).toEqual(Array(10).fill(2));
    expect(q.size).toBe(0);
    expect(q.queuedOf(10)).toBe(0);
  });
});
