/**
 * @module
 * Providers without sign-up (the volunteer page): makes an anonymous provider account
 * and token for a browser's first visit, a few per address (policy/signup-rate.ts), and
 * links such an account to a real one later. A new account's hosts are new hosts: the
 * validation policies already treat them as untrusted (every task replicated under
 * `adaptive`, the initial daily quota), so nothing here grants trust.
 */

import { randomBytes } from 'node:crypto';
import {
  ForbiddenError,
  InvalidRequestError,
  type LinkAccountResponse,
  RateLimitedError,
  type VolunteerSignupResponse,
} from '@anygrid/protocol';
import { DEFAULT_SIGNUP_RATE, decideSignup, type SignupRate } from '../policy/index.js';
import type { Principal, Store } from '../store/store.js';
import type { Accounts } from './accounts.js';
import type { Providers } from './providers.js';

/** Addresses remembered at most; past it the oldest entries go (a flood of addresses cannot grow memory). */
const MAX_ADDRESSES = 100_000;

export class Volunteers {
  /** Recent sign-up times by address, oldest address first. */
  private readonly signups = new Map<string, readonly number[]>();

  constructor(
    private readonly store: Store,
    private readonly accounts: Accounts,
    private readonly providers: Providers,
    private readonly rate: SignupRate = DEFAULT_SIGNUP_RATE,
  ) {}

  /** A new anonymous provider account and its token; RateLimitedError past the address's rate. */
  async signUp(address: string, label?: string): Promise<VolunteerSignupResponse> {
    const now = Date.now();
    const decision = decideSignup(this.signups.get(address) ?? [], now, this.rate);
    this.remember(address, decision.kept);
    if (!decision.allowed) throw new RateLimitedError('anonymous sign-ups', decision.retryAfterMs);
    const account = `volunteer-${randomBytes(9).toString('base64url')}`;
    const { token, principal } = await this.accounts.createToken(
      'provider',
      account,
      label ? `volunteer: ${label}` : 'volunteer',
    );
    return { token, accountId: principal.accountId, account: principal.account };
  }

  /**
   * Moves the caller's hosts (with their records) to the account of `token`, which must be
   * another account's provider token. The caller then uses that token.
   */
  async link(principal: Principal, token: string): Promise<LinkAccountResponse> {
    const target = await this.accounts.authenticate(token);
    if (!target) {
      throw new InvalidRequestError(
        'token: this token is not known to the coordinator; ask its admin for a provider token (`anygrid token create --role provider`).',
        { path: 'token' },
      );
    }
    if (target.role !== 'provider') {
      throw new ForbiddenError(
        `token: a ${target.role} token cannot own hosts; link with a provider token of your account.`,
        { role: target.role },
      );
    }
    if (target.accountId === principal.accountId) {
      return { accountId: target.accountId, account: target.account, hostIds: [] };
    }
    const hostIds = await this.store.moveHosts(principal.accountId, target.accountId, Date.now());
    this.providers.forgetOwners(hostIds);
    return { accountId: target.accountId, account: target.account, hostIds };
  }

  private remember(address: string, kept: readonly number[]): void {
    // Re-inserted last: the map's order is oldest-touched first.
    this.signups.delete(address);
    if (kept.length > 0) this.signups.set(address, kept);
    if (this.signups.size > MAX_ADDRESSES) {
      const oldest = this.signups.keys().next().value;
      if (oldest !== undefined) this.signups.delete(oldest);
    }
  }
}
