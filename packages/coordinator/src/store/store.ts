/**
 * @module
 * The storage contract, in domain verbs. Each method is one transaction, coarse enough
 * that the synchronous SQLite driver stays fast and a PostgreSQL adapter fits behind
 * the same async interface without touching the services. The store is the truth:
 * nothing a method returns may depend on state that a crash would lose.
 */

import type {
  Assignment,
  CreateJobRequest,
  GridSnapshot,
  HeartbeatResponse,
  HostList,
  HostUpdate,
  HostView,
  JobDiagnostics,
  JobPolicy,
  JobRequirements,
  JobState,
  JobTaskPage,
  JobTasksQuery,
  JobView,
  OutputRef,
  RegisterHostRequest,
  ReportStatus,
  ResolvedCompare,
  Role,
  TaskResult,
  TaskView,
} from '@anygrid/protocol';
import type {
  DailyQuotaParams,
  DiagnosedHost,
  HostCapabilities,
  JobPlacement,
  NetworkRule,
  ReadyReplica,
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
}

/** A running job's requirements, deadline and task size as stored (`Store.jobPlacements`). */
export interface JobPlacementFacts {
  readonly requirements?: JobRequirements;
  readonly deadlineMs: number;
  readonly estimatedOps?: number;
  /** Its run times so far (`JobRuntimes` without the id). */
  readonly runs: { ms: number; n: number; ops: number; opsN: number };
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
export type ReplicaPick = Pick<ReadyReplica, 'replicaId' | 'taskId' | 'jobId' | 'reissue'>;

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

export interface Store {
  /** Applies pending migrations; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** A short name for health output, e.g. "sqlite". */
  readonly kind: string;

  createToken(
    role: Role,
    account: string | undefined,
    tokenHash: string,
    label: string | undefined,
    now: number,
  ): Promise<Principal>;
  findToken(tokenHash: string): Promise<Principal | null>;
  /** Accounts, newest `limit` first. */
  listAccounts(limit: number): Promise<AccountRow[]>;
  /** Sets an account's fair-share weight; null if there is no such account. */
  setAccountShare(accountId: number, share: number): Promise<AccountRow | null>;
  /** The weights of accounts whose weight is not the default: the scheduler reads them at start. */
  accountShares(): Promise<Map<number, number>>;

  /**
   * Registers a host, or refreshes one the same account registered before (its address
   * too). Throws HostLimitError when a new host would pass `origin.maxHostsPerAccount`.
   */
  registerHost(
    accountId: number,
    host: RegisterHostRequest,
    now: number,
    origin?: HostOrigin,
  ): Promise<number>;
  /**
   * `registerHost`, and when the device names a host id it had (its agent restarted),
   * hands back at once every replica in progress on that host except those it lists in
   * `holding`: they become ready for other hosts, as after an abandon. One transaction.
   */
  joinHost(
    accountId: number,
    host: RegisterHostRequest,
    now: number,
    origin?: HostOrigin,
  ): Promise<JoinedHost>;
  /**
   * Times out early every replica in progress on hosts last seen before `cutoff`
   * (policy/liveness.ts), once per silence, and reissues their tasks. A host that comes
   * back may still report them: timed-out replicas take late reports while their task is
   * active.
   */
  releaseSilentHosts(
    cutoff: number,
    now: number,
  ): Promise<{ hosts: number[]; released: number; changes: ChangeSet }>;
  /**
   * Fails, with the reason `no_eligible_host`, active tasks with a failed or refused
   * replica that no connected host may take and that waited `scope.boundMs` since a host
   * last joined (policy/stranded-task.ts).
   */
  failStrandedTasks(
    scope: StrandedScope,
    now: number,
  ): Promise<{ failed: number; changes: ChangeSet }>;
  /**
   * Moves every host of account `from` to account `to` (a volunteer's anonymous account
   * linked to their own), with their records; returns the ids moved. One transaction.
   */
  moveHosts(from: number, to: number, now: number): Promise<number[]>;
  /** The account owning a host, or null. */
  hostOwner(hostId: number): Promise<number | null>;
  /**
   * How many of `requested` replicas the host may be sent now (policy/work-allowance.ts):
   * none while quarantined, no more than its daily quota left, less after failures. The
   * assignment enforces quarantine and quota again in its transaction.
   */
  hostAllowance(hostId: number, requested: number, now: number): Promise<number>;
  /**
   * Hosts the principal may see (admins: all; providers: their account's), newest
   * `limit` first, with the totals of each of their accounts over all its hosts.
   */
  listHosts(principal: Principal, limit: number, now: number): Promise<HostList>;
  /** One host if the principal may see it, else null. */
  getHost(hostId: number, principal: Principal, now: number): Promise<HostView | null>;
  /** Clears a host's quarantine; null if there is no such host. */
  releaseHost(hostId: number, now: number): Promise<{ released: boolean; host: HostView } | null>;

  createJob(
    accountId: number,
    job: NewJob,
    now: number,
  ): Promise<{ job: JobView; changes: ChangeSet }>;
  /**
   * Appends tasks `from…` to a job with tasks missing. A prefix already stored (a part
   * sent again) is skipped; `partsUntil` extends the time left for the rest. Throws
   * ConflictError when `from` leaves a gap or the job no longer runs, and
   * InvalidRequestError past the job's total.
   */
  addTasks(
    jobId: number,
    from: number,
    tasks: NewJob['tasks'],
    now: number,
    partsUntil?: number,
  ): Promise<{ added: number; changes: ChangeSet }>;
  /**
   * Running jobs with tasks missing that no requester will send: the coordinator was
   * writing them itself when it crashed, so the job was never acknowledged.
   */
  incompleteJobs(): Promise<number[]>;
  /** Running jobs whose requester did not send the missing parts in time. */
  expiredParts(now: number): Promise<number[]>;
  /** A job visible to the account (admins see all), or null. */
  getJob(jobId: number, principal: Principal): Promise<JobView | null>;
  listJobs(principal: Principal, limit: number): Promise<JobView[]>;
  /** Cancels a running job: unsent replicas are dropped, active tasks settle as cancelled. */
  cancelJob(jobId: number, now: number): Promise<ChangeSet>;
  /** One task of a job by its index, with every replica it had; null when there is none. */
  taskView(jobId: number, index: number): Promise<TaskView | null>;
  /** Settled tasks of a job after a cursor, in settlement order. */
  listResults(jobId: number, after: number, limit: number): Promise<TaskResult[]>;
  /**
   * The same results as `listResults`, each already JSON-encoded: the result stream
   * writes them as they are, sparing a parse and a serialisation per result.
   */
  listEncodedResults(jobId: number, after: number, limit: number): Promise<EncodedResult[]>;

  /** Every replica ready to send, oldest first: the scheduler rebuilds its queue from it at start. */
  readyReplicas(): Promise<ReadyReplica[]>;
  /**
   * Assigns these replicas to the host, skipping any no longer ready or whose task the
   * host already holds (the store enforces the rules; the queue only follows them). A
   * quarantined host gets none, and no host more than its daily quota left. Placement
   * rules are enforced here too: for jobs whose tasks may get more than one replica, none
   * goes to a host when another replica of its task is with a host of the same account or
   * network; homogeneous platforms; the limits on untrusted hosts and on replicas sent
   * together. Picks refused that stay ready go to `placement`.
   */
  assignReplicas(
    hostId: number,
    picks: readonly ReplicaPick[],
    now: number,
    placement?: Placement,
    buffer?: HostBuffer,
  ): Promise<Assignment[]>;
  /** Records reports and validates their tasks; all or nothing. Throws NotAssignedError. */
  applyReports(
    hostId: number,
    reports: readonly VerifiedReport[],
    now: number,
  ): Promise<{ statuses: ReportStatus[]; changes: ChangeSet }>;
  /** Extends leases of the host's running replicas; lists those it should stop. */
  heartbeat(hostId: number, replicaIds: readonly number[], now: number): Promise<HeartbeatResponse>;
  /** Records what a host says changed about it (free disk, benchmark speed). */
  updateHost(hostId: number, update: HostUpdate): Promise<void>;
  /** What the host declared and its reputation, for matching requirements; null if unknown. */
  hostCapabilities(hostId: number): Promise<HostCapabilities | null>;
  /** Every running job's requirements, deadline and task size, by job id (the scheduler's start). */
  jobPlacements(): Promise<Map<number, JobPlacementFacts>>;
  /**
   * The facts of a job's diagnostics against the given connected hosts; null if the job
   * does not exist or the principal may not see it. Throws JobPurgedError like `getJob`.
   */
  diagnosticsFacts(
    jobId: number,
    principal: Principal,
    hostIds: readonly number[],
    now: number,
  ): Promise<DiagnosticsFacts | null>;
  /**
   * Marks hosts connected in the current quarter-hour for their availability
   * (policy/availability.ts): those given (holding the work stream, pulling) and every
   * host seen since `seenSince`. Writes only hosts not marked in it yet; returns how many.
   */
  markAvailable(hostIds: readonly number[], seenSince: number, now: number): Promise<number>;
  /** Keeps the download bandwidth a host's agent measured (bytes per second). */
  recordBandwidth(hostId: number, bytesPerS: number): Promise<void>;
  /**
   * Keeps the newest checkpoint (a blob the caller checked exists with that size) and
   * progress of a replica the host holds; null leaves either as it was. Throws
   * NotAssignedError when the host does not hold it; `stale` once it no longer runs.
   */
  recordCheckpoint(
    hostId: number,
    replicaId: number,
    state: { readonly hash: string; readonly size: number } | null,
    fraction: number | null,
    now: number,
  ): Promise<'recorded' | 'stale'>;
  /** Hands the host's running replicas back without counting an error. */
  abandon(
    hostId: number,
    replicaIds: readonly number[],
    now: number,
  ): Promise<{ abandoned: number; changes: ChangeSet }>;
  /** Times out replicas past their deadline (up to `limit`) and reissues their tasks. */
  expireDeadlines(now: number, limit: number): Promise<{ timedOut: number; changes: ChangeSet }>;

  /** Replicas awaiting comparison, the oldest of each task (up to `limit`), oldest first. */
  pendingComparisons(limit: number): Promise<PendingComparison[]>;
  /**
   * Gives a pending replica its group (or ends its task no_consensus when the comparison
   * failed) and re-decides the task; a verdict for a replica no longer pending, or made
   * against other representatives than the task has now, changes nothing.
   */
  applyComparison(verdict: ComparisonVerdict, now: number): Promise<ChangeSet>;

  /**
   * The bytes of a parent's inline output that became a child's input file (task graphs),
   * or null: agents fetch them by hash like any blob (graph-input-blobs.ts).
   */
  graphInput(hash: string): Promise<Uint8Array | null>;
  /**
   * Finished jobs not yet purged, up to `limit`: first those whose purge began (a restart
   * resumes them), then those that finished at or before `finishedBefore`, oldest first.
   */
  purgeDue(finishedBefore: number, limit: number): Promise<PurgeDue[]>;
  /**
   * Marks a finished job's purge as begun (its results are archived, if asked): from now
   * on it answers JOB_PURGED. False when it had begun already or the job still runs.
   */
  beginPurge(jobId: number, now: number): Promise<boolean>;
  /**
   * One transaction of a begun purge: up to `maxTasks` tasks with their replicas and
   * other per-task rows, then the job's events and blob references; when nothing is
   * left, the job row becomes a tombstone (`done`).
   */
  purgeStep(jobId: number, maxTasks: number, now: number): Promise<PurgeStep>;
  /** Of these blob hashes, those a job not purged still uses (module, validator, input, output). */
  blobsInUse(hashes: readonly string[]): Promise<Set<string>>;
  /**
   * Gives up to `maxPages` free pages of the database back to the file system (0: none),
   * and says how many pages are free and in all afterwards.
   */
  reclaimSpace(maxPages: number): Promise<{ freed: number; free: number; total: number }>;

  /**
   * The dashboard's counters as the principal may see them (admins: every job; others:
   * their account's), read without walking tasks or replicas.
   */
  gridSnapshot(principal: Principal, scope: GridScope, now: number): Promise<GridSnapshot>;
  /** A page of a job's tasks by index, each with its replicas and their hosts. */
  jobTasks(jobId: number, query: JobTasksQuery): Promise<JobTaskPage>;

  /** Counts for metrics and the dashboard. */
  stats(): Promise<{
    unsent: number;
    inProgress: number;
    activeJobs: number;
    hosts: number;
    quarantinedHosts: number;
  }>;
}
