/**
 * @module
 * Hosts as admins and their owners see them (`GET /v1/hosts`, `GET /v1/hosts/{id}`):
 * what the host said about itself, what became of the replicas it was sent, its
 * reputation score, its daily quota and whether it is quarantined. An account's line
 * adds up its hosts' counts. The score is documented in docs/validation.md
 * ("Reputation").
 */

import { z } from 'zod';
import { CreditStanding } from './credit.js';
import { Accelerator } from './host.js';
import { Asks } from './pricing.js';

/** What became of the replicas sent to a host (or an account's hosts). */
export const ReplicaCounts = z.strictObject({
  /** Agreed with the canonical result of a compared task. */
  valid: z.number().int(),
  /** Disagreed with the canonical result. */
  invalid: z.number().int(),
  /** Reported as failed by the host (crash, limit exceeded). */
  errored: z.number().int(),
  /** Not reported by the deadline while the task still needed it. */
  timedOut: z.number().int(),
  /** Handed back unrun: not held against the host. */
  abandoned: z.number().int(),
  /** Accepted without comparison (a job without redundancy): not evidence either way. */
  alone: z.number().int(),
});
export type ReplicaCounts = z.infer<typeof ReplicaCounts>;

/** A Beta(1 + valid, 1 + invalid + errored + timedOut) posterior on "a replica comes back valid". */
export const ReputationView = z.strictObject({
  /** Posterior mean, in (0, 1). */
  score: z.number(),
  /** About a one-sided 95 % lower bound, in [0, 1). */
  lowerBound: z.number(),
  /** Replicas that counted as evidence. */
  judged: z.number().int(),
});
export type ReputationView = z.infer<typeof ReputationView>;

/**
 * What the coordinator measured of a host itself (its own clock, not the host's word);
 * each null until there is something to measure. docs/protocol.md, "Host capabilities".
 */
export const HostMeasured = z.strictObject({
  /** Mean time from sending a replica to its report, ms (exponentially weighted, recent reports count most). */
  turnaroundMs: z.number().nullable(),
  /** Replicas reported before their deadline over those that finished (reported in time, or timed out). */
  onTimeRate: z.number().min(0).max(1).nullable(),
  /** Fraction of the last 24 h (or of the time since it registered) the host was connected, by quarter-hours. */
  availability: z.number().min(0).max(1).nullable(),
  /** The host's download speed for large blobs, bytes per second, as its agent last measured it. */
  bandwidthBytesPerS: z.number().nullable(),
});
export type HostMeasured = z.infer<typeof HostMeasured>;

export const HostView = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  account: z.strictObject({ id: z.number().int(), name: z.string() }),
  platform: z.string(),
  cores: z.number().int(),
  memoryBytes: z.number().int(),
  slots: z.number().int(),
  /** Null when the host never said (an older agent). */
  freeDiskBytes: z.number().int().nullable(),
  /** Standard WASM benchmark, operations per second; null when the host never ran it. */
  speed: z.number().nullable(),
  accelerators: z.array(Accelerator),
  region: z.string().nullable(),
  agentVersion: z.string().nullable(),
  /** The address the coordinator saw at registration; null if it saw none. */
  address: z.string().nullable(),
  createdAt: z.number().int(),
  lastSeen: z.number().int(),
  replicas: ReplicaCounts,
  reputation: ReputationView,
  measured: HostMeasured,
  /** The daily replica quota (BOINC's max results per day) and today's use of it (UTC). */
  quota: z.strictObject({
    perDay: z.number().int(),
    usedToday: z.number().int(),
    leftToday: z.number().int(),
  }),
  /** Set while the host gets no work; an admin clears it with POST /v1/hosts/{id}/release. */
  quarantine: z.strictObject({ at: z.number().int(), reason: z.string().nullable() }).nullable(),
  /** What the host asks per unit, micro-credits (docs/incentives.md); zero: a volunteer. */
  asks: Asks,
  /** Its account's stake, micro-credits: slashed on each invalid result (docs/incentives.md). */
  stake: z.number().int(),
  /**
   * The share of an `adaptive` job's warm-up the host serves before its results may go
   * unchecked: 1 unstaked, down to 0.25 with stake (docs/incentives.md, "Stake and trust").
   */
  warmupShare: z.number().min(0).max(1),
  /** Volunteer credit granted for its validated replicas (docs/incentives.md); in `GET /v1/hosts` and `GET /v1/hosts/{id}`. */
  credit: CreditStanding.optional(),
});
export type HostView = z.infer<typeof HostView>;

/** An account's hosts added up. */
export const AccountReputation = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  hosts: z.number().int(),
  replicas: ReplicaCounts,
  reputation: ReputationView,
});
export type AccountReputation = z.infer<typeof AccountReputation>;

/** `GET /v1/hosts`: every host the caller may see, newest first, and their accounts. */
export const HostList = z.strictObject({
  hosts: z.array(HostView),
  accounts: z.array(AccountReputation),
});
export type HostList = z.infer<typeof HostList>;

/** `POST /v1/hosts/{id}/release`: the host after its release; `released` is false if it was not quarantined. */
export const ReleaseHostResponse = z.strictObject({
  released: z.boolean(),
  host: HostView,
});
export type ReleaseHostResponse = z.infer<typeof ReleaseHostResponse>;
