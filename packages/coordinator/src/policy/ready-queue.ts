/**
 * @module
 * The feeder's in-memory queue of replicas ready to send, as BOINC's feeder keeps one:
 * the scheduler answers work requests from here instead of scanning the store. It holds
 * one queue per account (account-queue.ts: priority, reissues, jobs in turn, data
 * locality) and serves accounts by fair share (fair-share.ts): accounts with work
 * waiting are sent replicas in proportion to their shares; priority orders work within
 * an account. A host is never offered a replica of a task it already holds. The store
 * stays the truth: an entry may be stale (its job was cancelled), and the guarded
 * assignment in the store drops it. Pure and synchronous, so it can be driven without a
 * store or a clock.
 *
 * Fast path: while one account has work queued (the common case, and every benchmark)
 * a request goes straight to its queue, with no fair-share bookkeeping at all.
 */

import { AccountQueue } from './account-queue.js';
import { FairShare, type ShareAccount } from './fair-share.js';
import type { Entry, JobEligibility, LocalityView, ReadyReplica, Take } from './ready-lanes.js';
import { JobGate, SCAN_LIMIT } from './ready-lanes.js';

export type { JobEligibility, LargeBlob, LocalityView, ReadyReplica } from './ready-lanes.js';

export class ReadyQueue {
  private readonly accounts = new Map<number, AccountQueue>();
  private readonly fair = new FairShare();
  private readonly droppedJobs = new Set<number>();
  private count = 0;
  /** Requests answered, to mark accounts that had nothing more for the host asking. */
  private takes = 0;

  get size(): number {
    return this.count;
  }

  /** Replicas queued for the account. */
  queuedOf(accountId: number): number {
    return this.accounts.get(accountId)?.size ?? 0;
  }

  /** Sets an account's share of the pool (default 1). */
  setShare(accountId: number, share: number): void {
    this.fair.setShare(accountId, share);
  }

  /**
   * Queues replicas; consecutive entries of one task (a new task's replicas) share what
   * hosts they went to. Each replica must be pushed once.
   */
  push(replicas: readonly ReadyReplica[]): void {
    // A job dropped when it ended runs again when new replicas of it come (a re-check
    // reopened a task of a completed job): its entries must be served, not skipped.
    if (this.droppedJobs.size > 0) for (const r of replicas) this.droppedJobs.delete(r.jobId);
    let queue: AccountQueue | undefined;
    let accountId = Number.NaN;
    for (let i = 0; i < replicas.length; ) {
      const first = replicas[i] as ReadyReplica;
      let j = i + 1;
      while (j < replicas.length && (replicas[j] as ReadyReplica).taskId === first.taskId) j++;
      const excluded = first.excludedHosts ?? [];
      const cell = j - i > 1 || excluded.length > 0 ? { hosts: [...excluded] } : null;
      for (let k = i; k < j; k++) {
        const replica = replicas[k] as ReadyReplica;
        if (replica.accountId !== accountId || !queue) {
          accountId = replica.accountId;
          queue = this.queueOf(accountId);
        }
        if (queue.size === 0) this.fair.activate(accountId);
        queue.push({ replica, cell } satisfies Entry);
        this.count++;
      }
      i = j;
    }
  }

  private queueOf(accountId: number): AccountQueue {
    let queue = this.accounts.get(accountId);
    if (!queue) {
      queue = new AccountQueue();
      this.accounts.set(accountId, queue);
    }
    return queue;
  }

  /**
   * Removes and returns up to `max` entries the host may run, at most one per task: from
   * the accounts in fair-share order, each account's by priority. The host is recorded
   * against each task it takes. With a locality view, replicas needing large blobs go
   * first to hosts that hold them (account-queue.ts). With `eligible`, entries of jobs
   * the host may not run (requirements, deadline: placement-fit.ts) stay for other hosts;
   * an account with nothing the host may run is skipped for this request, not billed.
   */
  take(
    hostId: number,
    max: number,
    now = 0,
    locality?: LocalityView,
    eligible?: JobEligibility,
  ): ReadyReplica[] {
    const out: ReadyReplica[] = [];
    const t: Take = {
      hostId,
      out,
      limit: max,
      scanned: 0,
      now,
      locality,
      dropped: this.droppedJobs,
      eligible,
      gate: eligible && new JobGate(eligible, 0),
    };
    if (this.fair.activeCount === 1) {
      // One account: nobody to share with, nothing to bill.
      const a = this.fair.at(0) as ShareAccount;
      this.fair.served(a);
      this.takeFrom(a, t);
      return out;
    }
    const stamp = ++this.takes;
    while (out.length < max && t.scanned < SCAN_LIMIT) {
      const i = this.undone(0, stamp);
      const a = this.fair.at(i);
      if (!a) break;
      const before = out.length;
      const next = this.fair.at(this.undone(i + 1, stamp));
      const quantum = this.fair.quantum(a, next, max - before);
      t.limit = before + quantum;
      this.takeFrom(a, t);
      const got = out.length - before;
      // Short of its quantum: nothing more in this account for this host now.
      if (got < quantum) a.stamp = stamp;
      if (got > 0) this.fair.charge(a, got, got);
    }
    return out;
  }

  /** Index of the first account in fair-share order from `from` not done with request `stamp`; -1: none. */
  private undone(from: number, stamp: number): number {
    for (let i = from; ; i++) {
      const a = this.fair.at(i);
      if (!a) return -1;
      if (a.stamp !== stamp) return i;
    }
  }

  private takeFrom(a: ShareAccount, t: Take): void {
    const queue = this.accounts.get(a.id) as AccountQueue;
    const before = queue.size;
    queue.take(t);
    this.count -= before - queue.size;
    if (queue.size === 0) {
      this.fair.deactivate(a);
      this.accounts.delete(a.id);
    }
  }

  /**
   * Takes back the fair-share charge for replicas taken but not sent (the store refused
   * them or found them stale); those still ready are pushed again by the caller.
   */
  refund(replicas: readonly ReadyReplica[]): void {
    for (const r of replicas) this.fair.refund(r.accountId, 1);
  }

  /**
   * Forgets an ended job's entries as they come up, without a scan now (until replicas of
   * it are pushed again).
   */
  dropJob(jobId: number): void {
    this.droppedJobs.add(jobId);
  }
}
