/**
 * @module
 * A host's row (registration, replica counts, quota, quarantine) as the SQL stores read
 * it, its mapping to the wire `HostView`, and the tallies a transaction adds to it, so
 * SQLite and PostgreSQL answer with identical JSON and count alike.
 */

import type {
  Accelerator,
  AccountReputation,
  Asks,
  HostView,
  ReplicaCounts,
} from '@anygrid/protocol';
import {
  availability,
  type DailyQuotaParams,
  DEFAULT_DAILY_QUOTA,
  type HostCapabilities,
  type HostStanding,
  newValidationRecord,
  onTimeRate,
  reputation,
  utcDay,
  warmupShare,
} from '../policy/index.js';

export interface HostRow {
  id: number;
  account_id: number;
  account_name: string;
  name: string;
  platform: string;
  cores: number;
  memory_bytes: number;
  slots: number;
  free_disk_bytes: number | null;
  speed: number | null;
  /** JSON array of `Accelerator`; NULL: none declared. */
  accelerators: string | null;
  region: string | null;
  agent_version: string | null;
  address: string | null;
  created_at: number;
  last_seen: number;
  n_valid: number;
  n_invalid: number;
  n_errored: number;
  n_timed_out: number;
  n_abandoned: number;
  n_alone: number;
  /** NULL: a host registered before quotas, on the initial quota. */
  quota: number | null;
  quota_day: number;
  quota_used: number;
  quarantined_at: number | null;
  quarantine_reason: string | null;
  /** Replicas reported before their deadline (migration 24). */
  n_on_time: number;
  /** Turnaround mean (policy/timeliness.ts); NULL before the first report. */
  turnaround_ms: number | null;
  /** Connected quarter-hours (policy/availability.ts); NULL before the host was seen since migration 24. */
  avail_slot: number | null;
  avail_bits: string | null;
  /** Bytes per second, as the agent last measured its downloads; NULL: never said. */
  bandwidth: number | null;
  /** What it asks per unit, micro-credits (migration 27). */
  ask_cpu_second: number;
  ask_mem_gib_second: number;
  ask_gpu_second: number;
  /** Its account's stake; NULL: never staked. */
  stake: number | null;
}

/** The columns of `HostRow`, for `SELECT ${HOST_COLUMNS} FROM hosts h JOIN accounts a ...`. */
export const HOST_COLUMNS = `h.id, h.account_id, a.name AS account_name, h.name, h.platform, h.cores,
  h.memory_bytes, h.slots, h.free_disk_bytes, h.speed, h.accelerators, h.region, h.agent_version, h.address, h.created_at, h.last_seen, h.n_valid,
  h.n_invalid, h.n_errored, h.n_timed_out, h.n_abandoned, h.n_alone, h.quota, h.quota_day,
  h.quota_used, h.quarantined_at, h.quarantine_reason, h.n_on_time, h.turnaround_ms, h.avail_slot,
  h.avail_bits, h.bandwidth, h.ask_cpu_second, h.ask_mem_gib_second, h.ask_gpu_second,
  (SELECT b.balance FROM ledger_balances b WHERE b.kind = 'stake' AND b.owner = h.account_id) AS stake`;

/** What one transaction did to one host's replicas. */
export interface HostTally {
  valid: number;
  invalid: number;
  errored: number;
  timedOut: number;
  abandoned: number;
  alone: number;
  /**
   * Successful reports: each gives its replica's share of the daily quota back, so the
   * quota bounds work sent and not answered (hoarded, failed), never a fast honest host.
   */
  answered: number;
  /** Reports of replicas still in progress: before their deadline. */
  onTime: number;
  /** Reports with a sending time, and their sent-to-reported times added up (ms). */
  turnarounds: number;
  turnaroundMs: number;
  /**
   * Replicas that left `in_progress` (reported, errored, refused, timed out, handed back
   * or taken back): the host's in-flight count goes down by as many, in the same write.
   */
  left: number;
}

export type TallyKind = keyof HostTally;

export function emptyTally(): HostTally {
  return {
    valid: 0,
    invalid: 0,
    errored: 0,
    timedOut: 0,
    abandoned: 0,
    alone: 0,
    answered: 0,
    onTime: 0,
    turnarounds: 0,
    turnaroundMs: 0,
    left: 0,
  };
}

function countsOf(
  row: Pick<
    HostRow,
    'n_valid' | 'n_invalid' | 'n_errored' | 'n_timed_out' | 'n_abandoned' | 'n_alone'
  >,
): ReplicaCounts {
  return {
    valid: Number(row.n_valid),
    invalid: Number(row.n_invalid),
    errored: Number(row.n_errored),
    timedOut: Number(row.n_timed_out),
    abandoned: Number(row.n_abandoned),
    alone: Number(row.n_alone),
  };
}

function reputationOf(c: ReplicaCounts) {
  return reputation({ ...newValidationRecord(0), ...c });
}

/** The part of a host row the assignment reads, once per work request. */
export interface StandingRow {
  account_id: number;
  platform: string;
  address: string | null;
  quarantined_at: number | null;
  quota: number | null;
  quota_day: number;
  quota_used: number;
  accepted: number;
  failed: number;
  slots: number;
  /** Replicas in progress on the host (migration 12). */
  in_flight: number;
  /** What it declared, for job requirements and its speed (migration 18). */
  cores: number;
  memory_bytes: number;
  free_disk_bytes: number | null;
  speed: number | null;
  accelerators: string | null;
  region: string | null;
  /** Runtimes beyond wasm32-wasi, comma-separated (`native`); NULL: wasm only (migration 20). */
  runtimes: string | null;
  n_valid: number;
  n_invalid: number;
  n_errored: number;
  n_timed_out: number;
  /** What it asks per unit, micro-credits (migration 27). */
  ask_cpu_second: number;
  ask_mem_gib_second: number;
  ask_gpu_second: number;
  /** Its account's stake; NULL: never staked. */
  stake: number | null;
}

/** What a host declared and its judged counts: the columns `capabilitiesOf` reads. */
export type CapabilityRow = Pick<
  StandingRow,
  | 'platform'
  | 'cores'
  | 'memory_bytes'
  | 'free_disk_bytes'
  | 'speed'
  | 'accelerators'
  | 'region'
  | 'n_valid'
  | 'n_invalid'
  | 'n_errored'
  | 'n_timed_out'
  | 'ask_cpu_second'
  | 'ask_mem_gib_second'
  | 'ask_gpu_second'
  | 'stake'
>;

/** The columns of `CapabilityRow`, for any `SELECT` of hosts that matches requirements. */
export const CAPABILITY_COLUMNS = `platform, cores, memory_bytes, free_disk_bytes, speed, accelerators,
  region, n_valid, n_invalid, n_errored, n_timed_out, ask_cpu_second, ask_mem_gib_second,
  ask_gpu_second,
  (SELECT b.balance FROM ledger_balances b WHERE b.kind = 'stake' AND b.owner = hosts.account_id) AS stake`;

/** The columns of `StandingRow`, for `SELECT ${STANDING_COLUMNS} FROM hosts WHERE id = ?`. */
export const STANDING_COLUMNS = `account_id, address, quarantined_at, quota, quota_day, quota_used,
  n_valid + n_alone AS accepted, n_errored + n_timed_out AS failed, slots, in_flight,
  ${CAPABILITY_COLUMNS}, runtimes`;

/**
 * What a host declared and its reputation's lower bound, as requirements are matched
 * against (policy/host-match.ts); the same from a standing row and from a full row.
 */
export function capabilitiesOf(row: CapabilityRow): HostCapabilities {
  const accelerators =
    row.accelerators === null ? [] : (JSON.parse(row.accelerators) as Accelerator[]);
  const counts = {
    valid: Number(row.n_valid),
    invalid: Number(row.n_invalid),
    errored: Number(row.n_errored),
    timedOut: Number(row.n_timed_out),
    abandoned: 0,
    alone: 0,
  };
  return {
    platform: row.platform,
    cores: Number(row.cores),
    memoryBytes: Number(row.memory_bytes),
    freeDiskBytes: row.free_disk_bytes === null ? null : Number(row.free_disk_bytes),
    speed: row.speed === null ? null : Number(row.speed),
    accelerators: accelerators.map((a) => a.kind),
    region: row.region,
    reputation: reputationOf(counts).lowerBound,
    asks: asksOf(row),
    stake: row.stake === null ? 0 : Number(row.stake),
  };
}

/** The host's asks from its row (BIGINT columns come back as bigint or string on PostgreSQL). */
export function asksOf(
  row: Pick<CapabilityRow, 'ask_cpu_second' | 'ask_mem_gib_second' | 'ask_gpu_second'>,
): Asks {
  return {
    cpuSecond: Number(row.ask_cpu_second ?? 0),
    memGiBSecond: Number(row.ask_mem_gib_second ?? 0),
    gpuSecond: Number(row.ask_gpu_second ?? 0),
  };
}

/** What the work allowance reads of a host. */
export function standingOf(
  row: StandingRow,
  quota: DailyQuotaParams = DEFAULT_DAILY_QUOTA,
): HostStanding {
  return {
    quarantined: row.quarantined_at !== null,
    quota: row.quota ?? quota.initial,
    quotaUsed: Number(row.quota_used),
    quotaDay: Number(row.quota_day),
    accepted: Number(row.accepted),
    failed: Number(row.failed),
  };
}

export function hostView(
  row: HostRow,
  now: number,
  quota: DailyQuotaParams = DEFAULT_DAILY_QUOTA,
): HostView {
  const replicas = countsOf(row);
  const perDay = row.quota ?? quota.initial;
  const stake = row.stake === null ? 0 : Number(row.stake);
  const usedToday = Number(row.quota_day) === utcDay(now) ? Number(row.quota_used) : 0;
  return {
    id: Number(row.id),
    name: row.name,
    account: { id: Number(row.account_id), name: row.account_name },
    platform: row.platform,
    cores: Number(row.cores),
    memoryBytes: Number(row.memory_bytes),
    slots: Number(row.slots),
    freeDiskBytes: row.free_disk_bytes === null ? null : Number(row.free_disk_bytes),
    speed: row.speed === null ? null : Number(row.speed),
    accelerators: row.accelerators === null ? [] : (JSON.parse(row.accelerators) as Accelerator[]),
    region: row.region,
    agentVersion: row.agent_version,
    address: row.address,
    createdAt: Number(row.created_at),
    lastSeen: Number(row.last_seen),
    replicas,
    reputation: reputationOf(replicas),
    measured: {
      turnaroundMs: row.turnaround_ms === null ? null : Number(row.turnaround_ms),
      onTimeRate: onTimeRate(Number(row.n_on_time), Number(row.n_timed_out)),
      availability: availability(
        row.avail_slot === null || row.avail_bits === null
          ? null
          : { slot: Number(row.avail_slot), bits: row.avail_bits },
        Number(row.created_at),
        now,
      ),
      bandwidthBytesPerS: row.bandwidth === null ? null : Number(row.bandwidth),
    },
    quota: { perDay, usedToday, leftToday: Math.max(0, perDay - usedToday) },
    quarantine:
      row.quarantined_at === null
        ? null
        : { at: Number(row.quarantined_at), reason: row.quarantine_reason },
    asks: {
      cpuSecond: Number(row.ask_cpu_second),
      memGiBSecond: Number(row.ask_mem_gib_second),
      gpuSecond: Number(row.ask_gpu_second),
    },
    stake,
    warmupShare: warmupShare(stake),
  };
}

/** An account's hosts added up, as `ACCOUNT_TOTALS` reads them. */
export interface AccountTotalsRow {
  id: number;
  name: string;
  hosts: number;
  n_valid: number;
  n_invalid: number;
  n_errored: number;
  n_timed_out: number;
  n_abandoned: number;
  n_alone: number;
}

/** Sums of `hosts` per account, for `SELECT ${ACCOUNT_TOTALS} FROM hosts h JOIN accounts a ... GROUP BY a.id`. */
export const ACCOUNT_TOTALS = `a.id, a.name, COUNT(*) AS hosts, SUM(h.n_valid) AS n_valid,
  SUM(h.n_invalid) AS n_invalid, SUM(h.n_errored) AS n_errored, SUM(h.n_timed_out) AS n_timed_out,
  SUM(h.n_abandoned) AS n_abandoned, SUM(h.n_alone) AS n_alone`;

export function accountReputation(row: AccountTotalsRow): AccountReputation {
  const replicas = countsOf(row);
  return {
    id: Number(row.id),
    name: row.name,
    hosts: Number(row.hosts),
    replicas,
    reputation: reputationOf(replicas),
  };
}
