/**
 * @module
 * The values the storage contract (store.ts) takes and returns: who is asking, what a
 * provider reported, what one call changed, the rules a store enforces, and the facts it
 * gives the scheduler, the diagnostics and the janitor. Plain data, no behaviour.
 */

import type {
  CreateJobRequest,
  HeartbeatResponse,
  JobDiagnostics,
  JobPolicy,
  JobPricing,
  JobRequirements,
  JobState,
  OutputRef,
  ResolvedCompare,
  Role,
} from '@anygrid/protocol';
import type {
  DailyQuotaParams,
  DiagnosedHost,
  HostCapabilities,
  JobPlacement,
  JobSize,
  KeptApart,
  LedgerAccountKind,
  NetworkRule,
  ReadyReplica,
  ReplicaShape,
} from '../policy/index.js';
import type { HostTally } from './host-rows.js';
import type { StoredOutputs } from './rows.js';

/** Who a token speaks for. */
export interface Principal {
  readonly accountId: number;
  readonly account: string;
  readonly role: Role;
}

/** An account as the store keeps it. */
export interface AccountRow {
  readonly id: number;
  readonly name: string;
  /** Its weight in fair share between accounts (policy/fair-share.ts); default 1. */
  readonly share: number;
  readonly createdAt: number;
}

/** A provider's report after the coordinator checked its hashes and computed its digest. */
export interface VerifiedReport {
  readonly replicaId: number;
  readonly success: boolean;
  readonly digest: string | null;
  readonly exitCode: number | null;
  readonly stdout: OutputRef | null;
  readonly stderr: OutputRef | null;
  readonly files: Readonly<Record<string, OutputRef>>;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly durationMs: number;
}

/** What changed in one store call, so services can notify listeners after commit. */
export interface ChangeSet {
  /** Jobs whose results or progress changed. */
  readonly jobs: readonly number[];
  /** Replicas created ready to send, for the scheduler's queue. */
  readonly ready: readonly ReadyReplica[];
  /** What became of replicas in this call, over all hosts (for metrics); absent when nothing. */
  readonly outcomes?: Readonly<HostTally>;
  /** Run times reported in this call, per job (for placement's task sizes); absent when none. */
  readonly runtimes?: readonly JobRuntimes[];
  /**
   * Replicas still running whose work this call made moot (their job was cancelled), by
   * host: their agents are told at once rather than at their next heartbeat. Absent when none.
   */
  readonly stop?: readonly HostReplicas[];
}

/** Some replicas of one host. */
export interface HostReplicas {
  readonly hostId: number;
  readonly replicaIds: readonly number[];
}

/** A running job's requirements, deadline and task size as stored (`Store.jobPlacements`). */
export interface JobPlacementFacts {
  readonly requirements?: JobRequirements;
  readonly deadlineMs: number;
  readonly estimatedOps?: number;
  /** A paid job's pricing; absent: a volunteer job. */
  readonly pricing?: JobPricing;
  /** What one replica holds, to weigh hosts' asks (policy/price-fit.ts). */
  readonly shape?: ReplicaShape;
  /** Its run times so far (`JobRuntimes` without the id). */
  readonly runs: { ms: number; n: number; ops: number; opsN: number };
}

/** What a quote reads (`Store.quoteFacts`). */
export interface QuoteFacts {
  /** The connected hosts; `usable`: neither quarantined nor out of today's quota. */
  readonly hosts: readonly { caps: HostCapabilities; slots: number; usable: boolean }[];
  /** The module's measured task size over its latest jobs; absent when no module was named. */
  readonly size?: JobSize;
  /** Replicas waiting to be sent at or above the job's priority. */
  readonly queuedAhead: number;
}

/** What diagnostics read about a job and the hosts connected now (`Store.diagnosticsFacts`). */
export interface DiagnosticsFacts {
  readonly jobId: number;
  readonly state: JobState;
  readonly placement: JobPlacement;
  /** The key the job's module is signed with, when signed. */
  readonly publicKey?: string;
  readonly tasks: JobDiagnostics['tasks'];
  /** The connected hosts the store knows. */
  readonly hosts: readonly DiagnosedHost[];
  /** Hosts of different accounts and networks the job's tasks need to settle (policy/validation-mode.ts `hostsKeptApart`). */
  readonly keptApart: KeptApart;
}

/** Run times reported for one job: their sum and count, and operations from hosts of known speed. */
export interface JobRuntimes {
  readonly jobId: number;
  ms: number;
  n: number;
  /** Sum of run time × the reporting host's speed, in benchmark operations. */
  ops: number;
  /** Reports that count in `ops`. */
  opsN: number;
}

/** Rules a store enforces that a coordinator may configure. */
export interface StoreRules {
  /** Which addresses the one-network rule covers; default `public`. */
  readonly networkRule?: NetworkRule;
  /** The daily replica quota's bounds; default `DEFAULT_DAILY_QUOTA`. */
  readonly dailyQuota?: DailyQuotaParams;
  /** The platform fee on each payment, percent of the host's ask; default 5. */
  readonly feePercent?: number;
  /** The share of a host's stake each invalid result of it costs, percent; default 10. */
  readonly slashPercent?: number;
}

/** A money request as the store takes it: who asks, under which key, to move what. */
export interface MoneyMove {
  readonly kind: 'credit' | 'stake' | 'unstake' | 'payout';
  readonly account: number;
  readonly amount: number;
  readonly idempotencyKey: string;
  /** The ledger account money leaves (the `external` one for a credit). */
  readonly from: LedgerAccountKind;
  /** The ledger account money enters; its balance after is the answer's. */
  readonly to: LedgerAccountKind;
  readonly memo?: string;
}

/** Where a host registers from, and the rule it registers under. */
export interface HostOrigin {
  /** The remote address the coordinator saw; kept for the one-network rule. */
  readonly address?: string | null;
  /** Most hosts seen in the last day an account may have; absent: no cap. */
  readonly maxHostsPerAccount?: number;
}

/** A `TaskResult` as JSON text, with its cursor. */
export interface EncodedResult {
  readonly cursor: number;
  readonly json: string;
}

/** A replica the scheduler picked from its queue. */
export type ReplicaPick = Pick<
  ReadyReplica,
  'replicaId' | 'taskId' | 'jobId' | 'reissue' | 'mayResume'
>;

/**
 * What an assignment says beyond the assignments: picks a placement rule kept from this
 * host that stay ready for others (the scheduler queues them again), and whether the
 * host is quarantined (it gets nothing).
 */
export interface Placement {
  readonly deferred: ReplicaPick[];
  /**
   * Of `deferred`, the ids refused because a replica of their task is with this host, a
   * host of its account or of its network, or of another platform (homogeneous): no host
   * of this account should be offered them again. The others were held back for a while
   * (spread, untrusted caps, a check waiting for a trusted host, quota, quarantine).
   */
  readonly apart?: number[];
  quarantined: boolean;
  /**
   * Set when picks were kept back because the host holds as much work in flight as its
   * slots and buffer allow (policy/in-flight-cap.ts): it is not woken for more until it
   * reports.
   */
  capped?: boolean;
  /**
   * Set when some of those picks were of a job nobody reported yet, whose bound is the
   * small one for an unknown runtime: counted against everything the host holds, it lets
   * the host take them only once its buffer ran low, so the host is not told to refill.
   */
  cappedUnknown?: boolean;
  /**
   * Set when picks were refused because the host does not meet their job's requirements
   * (from its row): the scheduler's picture of the host is stale and is read again.
   */
  unfit?: boolean;
}

/** The work buffer a host asked for, and the coordinator's bound on it (policy/in-flight-cap.ts). */
export interface HostBuffer {
  /** Seconds of work per slot the host wants to hold; absent: the default. */
  readonly bufferSeconds?: number;
  /** The coordinator's bound on `bufferSeconds`; absent: `MAX_BUFFER_SECONDS`. */
  readonly maxBufferSeconds?: number;
}

/** A host registered, with what its joining took back (`Store.joinHost`). */
export interface JoinedHost {
  readonly hostId: number;
  /** Replicas that were in progress on this host id and were handed back at once. */
  readonly released: number;
  readonly changes: ChangeSet;
  /** The download bandwidth kept for a host registering again (bytes per second), if any. */
  readonly bandwidth?: number;
}

/** A heartbeat's answer, and the replicas it found lost on their way to the host. */
export interface HeartbeatOutcome extends HeartbeatResponse {
  /** Replicas in progress on the host that it did not list, handed back. */
  readonly released: number;
  readonly changes: ChangeSet;
}

/** What the stranded-task sweep is told (see `Store.failStrandedTasks`). */
export interface StrandedScope {
  /** Hosts seen at or after this time (epoch ms) count as connected. */
  readonly seenSince: number;
  /** Hosts connected by other means (an open work stream, a recent pull). */
  readonly connected: readonly number[];
  /** When the coordinator started: no task is held to have waited from before. */
  readonly startedAt: number;
  /** How long a task may wait with no eligible host before it fails. */
  readonly boundMs: number;
  /** Most tasks looked at in one sweep. */
  readonly limit: number;
}

export interface NewJob extends Omit<CreateJobRequest, 'policy'> {
  readonly policy: JobPolicy;
  /**
   * The job's full size when its tasks arrive in parts (`tasks` first, the rest by
   * `addTasks`); default `tasks.length`. The job cannot complete before it has them all.
   */
  readonly tasksTotal?: number;
  /**
   * While tasks are missing: until when (epoch ms) the requester may still send them
   * (`addTasks`). Absent when the coordinator writes them all itself, in one request.
   */
  readonly partsUntil?: number;
}

/** A reported replica as a comparison sees it. */
export interface ComparedReplica {
  readonly replicaId: number;
  /** Digest of its outputs (byte equality). */
  readonly digest: string;
  readonly outputs: StoredOutputs;
}

/**
 * A reported replica of a job with a non-exact comparator, waiting to learn which group
 * it belongs to: compare it with each representative (oldest first) and apply the verdict.
 */
export interface PendingComparison {
  readonly taskId: number;
  readonly jobId: number;
  /** False once its task has settled or been cancelled: apply a verdict only to drop it. */
  readonly active: boolean;
  readonly compare: ResolvedCompare;
  readonly candidate: ComparedReplica;
  /** The first replica of each group of the task so far, oldest first. */
  readonly representatives: readonly ComparedReplica[];
}

/** What comparing a pending replica found. */
export type ComparisonVerdict = {
  readonly replicaId: number;
  /** The representatives compared with; the verdict is dropped if the task has others by now. */
  readonly against: readonly number[];
} & (
  | {
      /** The representative it agrees with (the first that does), or null: it starts a group. */
      readonly agreesWith: number | null;
    }
  | {
      /** The comparison could not be made (a validator that failed): the task ends no_consensus. */
      readonly failed: string;
    }
);

/** A finished job whose retention ran out, or whose purge a restart must finish. */
export interface PurgeDue {
  readonly jobId: number;
  readonly finishedAt: number;
  /** Its purge began (results archived, rows being deleted): continue it, archive nothing. */
  readonly started: boolean;
}

/** Which hosts the dashboard counts as online (`Store.gridSnapshot`). */
export interface GridScope {
  /** Hosts seen at or after this time (epoch ms) are online. */
  readonly onlineSince: number;
  /** Hosts online by other means (an open push channel), whenever last seen. */
  readonly connected: readonly number[];
}

/** What one purge step (one transaction) deleted. */
export interface PurgeStep {
  /** Tasks deleted, with their replicas and other per-task rows. */
  readonly tasks: number;
  /** Rows deleted in all. */
  readonly rows: number;
  /** Nothing of the job is left but its tombstone. */
  readonly done: boolean;
}
