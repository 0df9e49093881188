/**
 * @module
 * Accounts, their tokens and who they speak for. Tokens carry 192 random bits (24
 * bytes, 32 base64url characters after the role prefix) and are shown once; only their
 * sha256 is stored, so a copy of the database grants nothing. Lookups are cached because
 * every request makes one and tokens are never edited in place. Admins list accounts
 * and set their fair-share weights: stored first, then handed to the scheduler.
 */

import { createHash, randomBytes } from 'node:crypto';
import { type AccountList, type AccountView, NotFoundError, type Role } from '@anygrid/protocol';
import type { AccountRow, Principal, Store } from '../store/store.js';
import type { Scheduler } from './scheduler.js';

/** Most accounts one list shows, newest first. */
export const ACCOUNT_LIST_LIMIT = 1000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class Accounts {
  private readonly cache = new Map<string, Principal>();

  constructor(
    private readonly store: Store,
    private readonly scheduler?: Pick<Scheduler, 'setShare' | 'queuedOf'>,
  ) {}

  async list(): Promise<AccountList> {
    const rows = await this.store.listAccounts(ACCOUNT_LIST_LIMIT);
    return { accounts: rows.map((r) => this.view(r)) };
  }

  /** Sets an account's fair-share weight; throws NotFoundError for an unknown account. */
  async setShare(accountId: number, share: number): Promise<AccountView> {
    const row = await this.store.setAccountShare(accountId, share);
    if (!row) throw new NotFoundError('account', accountId);
    this.scheduler?.setShare(accountId, row.share);
    return this.view(row);
  }

  private view(row: AccountRow): AccountView {
    return { ...row, queued: this.scheduler?.queuedOf(row.id) ?? 0 };
  }

  async createToken(
    role: Role,
    account?: string,
    label?: string,
  ): Promise<{ token: string; principal: Principal }> {
    const token = `ag_${role.slice(0, 3)}_${randomBytes(24).toString('base64url')}`;
    const principal = await this.store.createToken(
      role,
      account,
      hashToken(token),
      label,
      Date.now(),
    );
    return { token, principal };
  }

  async authenticate(token: string): Promise<Principal | null> {
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached) return cached;
    const principal = await this.store.findToken(hash);
    if (principal) this.cache.set(hash, principal);
    return principal;
  }
}
