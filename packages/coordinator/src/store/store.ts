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
  HeartbeatResponse,
  JobPolicy,
  JobView,
  OutputRef,
  RegisterHostRequest,
  ReportStatus,
  Role,
  TaskResult,
} from '@anygrid/protocol';
import type { ReadyReplica } from '../policy/index.js';

/** Who a token speaks for. */
export interface Principal {
  readonly accountId: number;
  readonly account: string;
  readonly role: Role;
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
}

/** A `TaskResult` as JSON text, with its cursor. */
export interface EncodedResult {
  readonly cursor: number;
  readonly json: string;
}

/** A replica the scheduler picked from its queue. */
export type ReplicaPick = Pick<ReadyReplica, 'replicaId' | 'taskId' | 'jobId'>;

/**
 * What an assignment says beyond the assignments: picks a placement rule kept from this
 * host that stay ready for others (the scheduler queues them again), and whether the
 * host is quarantined (it gets nothing).
 */
export interface Placement {
  readonly deferred: ReplicaPick[];
  quarantined: boolean;
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

  /** Registers a host, or refreshes one the same account registered before. */
  registerHost(accountId: number, host: RegisterHostRequest, now: number): Promise<number>;
  /** The account owning a host, or null. */
  hostOwner(hostId: number): Promise<number | null>;

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
   * host already holds (the store enforces the rule; the queue only follows it). Placement
   * rules (quarantine, homogeneous platforms, the limits on untrusted hosts and on
   * replicas sent together) are enforced here too; picks they refuse go to `placement`.
   */
  assignReplicas(
    hostId: number,
    picks: readonly ReplicaPick[],
    now: number,
    placement?: Placement,
  ): Promise<Assignment[]>;
  /** Records reports and validates their tasks; all or nothing. Throws NotAssignedError. */
  applyReports(
    hostId: number,
    reports: readonly VerifiedReport[],
    now: number,
  ): Promise<{ statuses: ReportStatus[]; changes: ChangeSet }>;
  /** Extends leases of the host's running replicas; lists those it should stop. */
  heartbeat(hostId: number, replicaIds: readonly number[], now: number): Promise<HeartbeatResponse>;
  /** Hands the host's running replicas back without counting an error. */
  abandon(
    hostId: number,
    replicaIds: readonly number[],
    now: number,
  ): Promise<{ abandoned: number; changes: ChangeSet }>;
  /** Times out replicas past their deadline (up to `limit`) and reissues their tasks. */
  expireDeadlines(now: number, limit: number): Promise<{ timedOut: number; changes: ChangeSet }>;

  /** Counts for metrics and the dashboard. */
  stats(): Promise<{ unsent: number; inProgress: number; activeJobs: number; hosts: number }>;
}
