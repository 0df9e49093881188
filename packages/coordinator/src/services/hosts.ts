/**
 * @module
 * Hosts as people see them: admins every host, a provider its own account's. Each
 * view carries the host's replica counts, reputation score, daily quota and quarantine;
 * each also carries its volunteer credit, and a list adds each account's totals. An admin
 * releases a quarantined host.
 */

import { type HostList, type HostView, NotFoundError } from '@anygrid/protocol';
import type { Principal, Store } from '../store/store.js';
import type { Hub } from './hub.js';
import type { Scheduler } from './scheduler.js';

/** Most hosts one list shows, newest first. */
export const HOST_LIST_LIMIT = 1000;

export class Hosts {
  constructor(
    private readonly store: Store,
    private readonly hub: Hub,
    private readonly scheduler?: Pick<Scheduler, 'released'>,
  ) {}

  async list(principal: Principal): Promise<HostList> {
    const now = Date.now();
    const list = await this.store.listHosts(principal, HOST_LIST_LIMIT, now);
    const credit = await this.store.creditStandings(
      'host',
      list.hosts.map((h) => h.id),
      now,
    );
    return { ...list, hosts: list.hosts.map((h) => ({ ...h, credit: credit.get(h.id) })) };
  }

  /** Throws NotFoundError for a host that is absent or another account's. */
  async get(principal: Principal, hostId: number): Promise<HostView> {
    const now = Date.now();
    const host = await this.store.getHost(hostId, principal, now);
    if (!host) throw new NotFoundError('host', hostId);
    return { ...host, credit: await this.store.creditStanding('host', hostId, now) };
  }

  async release(hostId: number): Promise<{ released: boolean; host: HostView }> {
    const out = await this.store.releaseHost(hostId, Date.now());
    if (!out) throw new NotFoundError('host', hostId);
    // A quarantined host was not told of new work; tell it now rather than at its next poll.
    if (out.released) {
      this.scheduler?.released(hostId);
      this.hub.nudge(hostId);
    }
    return out;
  }
}
