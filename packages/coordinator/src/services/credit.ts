/**
 * @module
 * Volunteer credit as people see it (docs/incentives.md, "Volunteer credit"): the
 * leaderboard by host, account or team, and teams an account creates or joins. Credit
 * itself is granted by the store, inside the transaction that validates a replica.
 */

import type { Leaderboard, LeaderboardQuery, TeamView } from '@anygrid/protocol';
import type { Principal, Store } from '../store/store.js';

export class Credit {
  constructor(private readonly store: Store) {}

  async leaderboard(query: LeaderboardQuery): Promise<Leaderboard> {
    const at = Date.now();
    const entries = await this.store.leaderboard(query, at);
    return { by: query.by, order: query.order, at, entries };
  }

  /** Creates a team and puts the caller's account in it (ConflictError: the name is taken). */
  async createTeam(principal: Principal, name: string): Promise<TeamView> {
    return this.store.createTeam(principal.accountId, name, Date.now());
  }

  /** Moves the caller's account into a team (NotFoundError: no such team). */
  async joinTeam(principal: Principal, name: string): Promise<TeamView> {
    return this.store.joinTeam(principal.accountId, name, Date.now());
  }
}
