/**
 * @module
 * Volunteer credit as clients see it (docs/incentives.md, "Volunteer credit"): the unit,
 * the recent-average half-life, the leaderboard's query and answer, teams, and a host's
 * or account's standing. Credit is not money: it buys nothing, it ranks. It is counted in
 * whole micro-credits (`totalMicro`) so that totals are exact sums of grants; one credit
 * is one second of CPU at the reference benchmark speed.
 */

import { z } from 'zod';

/** Micro-credits of volunteer credit per credit. */
export const CREDIT_MICROS = 1_000_000;

/**
 * The reference speed on the standard WASM benchmark, operations per second: a second of
 * a host this fast earns one credit (a host twice as fast earns two per second), as
 * BOINC's cobblestone is pegged to a 1 GFLOPS machine. The same speed normalizes the
 * CPU-seconds that providers ask a price for (pricing.ts), so a credit and a paid
 * normalized CPU-second measure the same work.
 */
export const REFERENCE_SPEED = 1e8;

/** Half-life of the recent average credit: a grant counts half as much a week later. */
export const CREDIT_HALF_LIFE_MS = 7 * 24 * 3600 * 1000;

/** What a leaderboard ranks. */
export const LeaderboardBy = z.enum(['host', 'account', 'team']);
export type LeaderboardBy = z.infer<typeof LeaderboardBy>;

/** `GET /v1/leaderboard` query. */
export const LeaderboardQuery = z.strictObject({
  by: LeaderboardBy.default('account'),
  /** `total`: all credit ever granted; `recent`: the exponentially decayed recent average. */
  order: z.enum(['total', 'recent']).default('total'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type LeaderboardQuery = z.infer<typeof LeaderboardQuery>;
export type LeaderboardQueryInput = z.input<typeof LeaderboardQuery>;

/** Credit of a host, account or team. */
export const CreditStanding = z.strictObject({
  /** All credit ever granted, micro-credits. */
  totalMicro: z.number().int().min(0),
  /** Recent average credit, credits per day (steady work of r credits a day reads r). */
  recentPerDay: z.number().min(0),
});
export type CreditStanding = z.infer<typeof CreditStanding>;

export const LeaderboardEntry = z.strictObject({
  rank: z.number().int().min(1),
  id: z.number().int(),
  name: z.string(),
  /** The owning account's name, for a host; null otherwise. */
  account: z.string().nullable(),
  credit: CreditStanding,
});
export type LeaderboardEntry = z.infer<typeof LeaderboardEntry>;

export const Leaderboard = z.strictObject({
  by: LeaderboardBy,
  order: z.enum(['total', 'recent']),
  /** When the recent averages were decayed to, ms since the epoch. */
  at: z.number().int(),
  entries: z.array(LeaderboardEntry),
});
export type Leaderboard = z.infer<typeof Leaderboard>;

/** A team's name: 1–64 printable characters, no leading or trailing space. */
export const TeamName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^\S(?:[^\p{Cc}]*\S)?$/u, 'must be printable, without leading or trailing spaces');

/** `POST /v1/teams` (create and join) and `POST /v1/teams/join`. */
export const TeamRequest = z.strictObject({ name: TeamName });
export type TeamRequest = z.infer<typeof TeamRequest>;

/** A team and the caller's membership after a create or join. */
export const TeamView = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  members: z.number().int().min(0),
  credit: CreditStanding,
});
export type TeamView = z.infer<typeof TeamView>;
