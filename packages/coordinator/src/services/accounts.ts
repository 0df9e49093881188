/**
 * @module
 * Tokens and who they speak for. Tokens carry 192 random bits (24 bytes, 32 base64url
 * characters after the role prefix) and are shown once; only their sha256 is stored, so
 * a copy of the database grants nothing. Lookups are cached because every request makes
 * one and tokens are never edited in place.
 */

import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '@anygrid/protocol';
import type { Principal, Store } from '../store/store.js';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class Accounts {
  private readonly cache = new Map<string, Principal>();

  constructor(private readonly store: Store) {}

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
