/**
 * @module
 * The volunteer's identity, kept in this browser (localStorage): a provider token the
 * coordinator made without sign-up on the first visit (`POST /v1/volunteers`), the
 * account it names, and the host id this browser registered as, so a reload or a new
 * visit comes back as the same host with its record. Linking moves the anonymous
 * account's hosts to the volunteer's own account and keeps that account's token instead.
 */

import {
  type AnygridError,
  errorFromBody,
  LinkAccountResponse,
  VolunteerSignupResponse,
} from '@anygrid/protocol';

const KEY = 'anygrid.volunteer';

/** What the page keeps. */
export interface Identity {
  readonly token: string;
  readonly account: string;
  /** True once linked to an account of the volunteer's own. */
  readonly linked: boolean;
  /** The host id this browser registered as, when it has. */
  readonly hostId?: number;
}

/** Reads and writes the identity of one coordinator's volunteer in `storage`. */
export class IdentityStore {
  constructor(
    private readonly baseUrl: string,
    private readonly storage: Storage = localStorage,
  ) {}

  /** The kept identity, if any (and readable). */
  load(): Identity | undefined {
    try {
      const parsed = JSON.parse(this.storage.getItem(KEY) ?? 'null') as Identity | null;
      if (parsed && typeof parsed.token === 'string' && typeof parsed.account === 'string')
        return parsed;
    } catch {
      // Not ours or damaged: a new identity replaces it.
    }
    return undefined;
  }

  save(identity: Identity): void {
    this.storage.setItem(KEY, JSON.stringify(identity));
  }

  /** The kept identity, or a new anonymous one made by the coordinator. */
  async ensure(label: string): Promise<Identity> {
    const kept = this.load();
    if (kept) return kept;
    const body = await this.post('/v1/volunteers', { label: label.slice(0, 200) });
    const made = VolunteerSignupResponse.parse(body);
    const identity: Identity = { token: made.token, account: made.account, linked: false };
    this.save(identity);
    return identity;
  }

  /** Links `identity`'s hosts to the account of `accountToken`; keeps that token from now on. */
  async link(identity: Identity, accountToken: string): Promise<Identity> {
    const body = await this.post('/v1/volunteers/link', { token: accountToken }, identity.token);
    const linked = LinkAccountResponse.parse(body);
    const next: Identity = {
      token: accountToken,
      account: linked.account,
      linked: true,
      ...(identity.hostId === undefined ? {} : { hostId: identity.hostId }),
    };
    this.save(next);
    return next;
  }

  private async post(path: string, body: unknown, token?: string): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    const parsed: unknown = await response.json().catch(() => null);
    if (!response.ok) throw errorFromBody(response.status, parsed) satisfies AnygridError;
    return parsed;
  }
}
