/**
 * @module
 * Fair share between accounts (requesters): which account's work the ready queue serves
 * next, so that accounts with work waiting share the pool in proportion to their
 * `share`s, whatever the size of their jobs. A job of a million tasks does not starve
 * one of ten tasks submitted after it by another account.
 *
 * The rule is stride scheduling (start-time fair queuing over accounts). Each account
 * has a *pass*: the work it was sent divided by its share. The account with the lowest
 * pass is served next, and serving it raises its pass; so accounts waiting together are
 * sent work at rates proportional to their shares. Work is counted in cost units; the
 * ready queue bills one per replica (docs/scheduling.md says why not estimated run time).
 * History counts only while an account has work waiting: one that comes back after a
 * pause starts level with the account being served (the virtual time), so neither an
 * idle account banks credit to take the whole pool later, nor is a newcomer held back by
 * what the others did before it came. See docs/scheduling.md.
 *
 * One request takes from the lowest account a quantum large enough to bring its pass
 * to the next account's (so a request is not split into replicas one by one), and at
 * least its even part of what is left. Pure and synchronous; no clock.
 */

/** An account's standing; one object per account that ever had work queued. */
export interface ShareAccount {
  readonly id: number;
  /** Work sent divided by `share`: the lowest is served first. */
  pass: number;
  share: number;
  /** Cost of one replica of this account in its last charge; 0 before its first. */
  unit: number;
  /** Whether it has work queued. */
  active: boolean;
  /** The request in which it last had nothing more for the host asking (ready-queue.ts). */
  stamp: number;
}

/** The share of an account nobody set one for. */
export const DEFAULT_SHARE = 1;

export class FairShare {
  private readonly accounts = new Map<number, ShareAccount>();
  /** Accounts with work queued, lowest pass first. */
  private readonly order: ShareAccount[] = [];
  /** The pass of the account served last: where an account that comes back starts. */
  private vtime = 0;

  /** Accounts with work queued. */
  get activeCount(): number {
    return this.order.length;
  }

  /** The `i`-th account with work queued, lowest pass first. */
  at(i: number): ShareAccount | undefined {
    return this.order[i];
  }

  shareOf(accountId: number): number {
    return this.accounts.get(accountId)?.share ?? DEFAULT_SHARE;
  }

  /** Sets an account's share (a positive number); it counts from the next request on. */
  setShare(accountId: number, share: number): void {
    if (!(share > 0)) throw new RangeError(`a share must be positive, got ${share}`);
    this.accountOf(accountId).share = share;
  }

  /** An account has work queued again: it joins the order level with the account being served. */
  activate(accountId: number): ShareAccount {
    const a = this.accountOf(accountId);
    if (a.active) return a;
    a.active = true;
    a.pass = Math.max(a.pass, this.vtime);
    let i = this.order.length;
    this.order.push(a);
    while (i > 0 && (this.order[i - 1] as ShareAccount).pass > a.pass) {
      this.order[i] = this.order[i - 1] as ShareAccount;
      i--;
    }
    this.order[i] = a;
    return a;
  }

  /** An account has nothing queued any more. */
  deactivate(a: ShareAccount): void {
    if (!a.active) return;
    a.active = false;
    const i = this.order.indexOf(a);
    if (i >= 0) this.order.splice(i, 1);
  }

  /**
   * How many replicas `a` (the first account in order not yet done with this request)
   * may take of `remaining`, `next` being the account after it: enough to bring its pass
   * to `next`'s, at least an even part of what is left.
   */
  quantum(a: ShareAccount, next: ShareAccount | undefined, remaining: number): number {
    if (!next) return remaining;
    const even = Math.ceil(remaining / (2 * this.order.length));
    const catchUp = a.unit > 0 ? Math.ceil(((next.pass - a.pass) * a.share) / a.unit) : 0;
    return Math.min(remaining, Math.max(1, even, catchUp));
  }

  /** `a` was sent `replicas` replicas costing `cost` units in all. */
  charge(a: ShareAccount, replicas: number, cost: number): void {
    if (replicas <= 0) return;
    this.vtime = Math.max(this.vtime, a.pass);
    a.unit = cost / replicas;
    a.pass += cost / a.share;
    if (!a.active) return;
    let i = this.order.indexOf(a);
    while (i + 1 < this.order.length && (this.order[i + 1] as ShareAccount).pass < a.pass) {
      this.order[i] = this.order[i + 1] as ShareAccount;
      i++;
    }
    this.order[i] = a;
  }

  /** `a` is served alone (the only account with work): no charge, but the virtual time follows it. */
  served(a: ShareAccount): void {
    if (a.pass > this.vtime) this.vtime = a.pass;
  }

  /**
   * Takes back a charge for replicas the store then refused (they go back in the queue):
   * an account is not billed for work a placement rule kept from a host. Never below
   * the virtual time: an account served alone is not billed, so has nothing to take back.
   */
  refund(accountId: number, cost: number): void {
    const a = this.accounts.get(accountId);
    if (!a || cost <= 0) return;
    a.pass = Math.max(this.vtime, a.pass - cost / a.share);
    if (!a.active) return;
    let i = this.order.indexOf(a);
    while (i > 0 && (this.order[i - 1] as ShareAccount).pass > a.pass) {
      this.order[i] = this.order[i - 1] as ShareAccount;
      i--;
    }
    this.order[i] = a;
  }

  private accountOf(accountId: number): ShareAccount {
    let a = this.accounts.get(accountId);
    if (!a) {
      a = { id: accountId, pass: 0, share: DEFAULT_SHARE, unit: 0, active: false, stamp: 0 };
      this.accounts.set(accountId, a);
    }
    return a;
  }
}
