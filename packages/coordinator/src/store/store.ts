/**
 * @module
 * The storage contract, in domain verbs. Each method is one transaction, coarse enough
 * that the synchronous SQLite driver stays fast and a PostgreSQL adapter fits behind
 * the same async interface without touching the services. The store is the truth:
 * nothing a method returns may depend on state that a crash would lose.
 */

import type {
  AccountBalances,
  Assignment,
  CreditStanding,
  GridSnapshot,
  HostList,
  HostUpdate,
  HostView,
  JobTaskPage,
  JobTasksQuery,
  JobView,
  LeaderboardEntry,
  LeaderboardQuery,
  LedgerCheck,
  MoneyResponse,
  Payouts,
  RegisterHostRequest,
  ReportStatus,
  Role,
  Statement,
  TaskResult,
  TaskView,
  TeamView,
} from '@anygrid/protocol';
import type { HostCapabilities, LeaseState, ReadyReplica } from '../policy/index.js';

import type {
  AccountRow,
  ChangeSet,
  ComparisonVerdict,
  DiagnosticsFacts,
  EncodedResult,
  GridScope,
  HeartbeatOutcome,
  HostBuffer,
  HostOrigin,
  HostReplicas,
  JobPlacementFacts,
  JoinedHost,
  MoneyMove,
  NewJob,
  PendingComparison,
  Placement,
  Principal,
  PurgeDue,
  PurgeStep,
  QuoteFacts,
  ReplicaPick,
  StrandedScope,
  VerifiedReport,
} from './store-data.js';

export type * from './store-data.js';

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

  /** Volunteer credit of a host, account or team at `now` (zero when none; docs/incentives.md). */
  creditStanding(
    kind: 'host' | 'account' | 'team',
    id: number,
    now: number,
  ): Promise<CreditStanding>;
  /** The same for many hosts, accounts or teams at once, by id (a host list's credit column). */
  creditStandings(
    kind: 'host' | 'account' | 'team',
    ids: readonly number[],
    now: number,
  ): Promise<Map<number, CreditStanding>>;
  /** The leaderboard's first entries, recent averages decayed to `now`. */
  leaderboard(query: LeaderboardQuery, now: number): Promise<LeaderboardEntry[]>;
  /** Creates a team and moves the account into it; ConflictError when the name is taken. */
  createTeam(accountId: number, name: string, now: number): Promise<TeamView>;
  /** Moves the account into the named team; NotFoundError when there is none. */
  joinTeam(accountId: number, name: string, now: number): Promise<TeamView>;

  /**
   * Creates a job; a paid one (`policy.pricing`) reserves its maximum cost from the
   * account's balance into its escrow in the same transaction, or throws
   * InsufficientBalanceError and writes nothing.
   */
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
  /** Only the ids of the replicas ready to send above `afterId`, ascending: a cheap look. */
  readyReplicaIds(afterId: number): Promise<number[]>;
  /**
   * Those of `ids` still ready to send, in `readyReplicas`' order: what another coordinator
   * on the same store created, read by a work poll a window at a time.
   */
  readyReplicasIn(ids: readonly number[]): Promise<ReadyReplica[]>;
  /** The highest replica id given out so far (0 before the first). */
  newestReplicaId(): Promise<number>;
  /** The last result cursor given out: it moves whenever a task of any job settles. */
  resultCursor(): Promise<number>;

  /**
   * Takes the named lease for `holder` until `now + ttlMs`, or renews it, when it is free,
   * already the holder's, or ran out (policy/leadership.ts); also when it is held by
   * `supersedes`, a holder known dead (`holderGone`). One transaction. Returns the lease
   * as it stands afterwards: another holder's when this claim lost.
   */
  claimLease(
    name: string,
    holder: string,
    now: number,
    ttlMs: number,
    supersedes?: string,
  ): Promise<LeaseState>;
  /** Ends `holder`'s lease now, so another may take it at once; false if it did not hold it. */
  releaseLease(name: string, holder: string, now: number): Promise<boolean>;
  /** The named lease as it stands, or null if nobody ever took it. */
  readLease(name: string): Promise<LeaseState | null>;
  /**
   * The holders of the leases named `prefix…` that still run at `now`, sorted: the live
   * coordinators, each holding its presence lease (services/membership.ts).
   */
  liveLeaseHolders(prefix: string, now: number): Promise<string[]>;
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
  /**
   * Extends leases of the replicas the host lists; lists those it should stop. Replicas in
   * progress on the host that it leaves out and that were sent before `lostBefore` never
   * reached it: they are handed back (as at a rejoin) and their tasks reissued.
   */
  heartbeat(
    hostId: number,
    replicaIds: readonly number[],
    now: number,
    lostBefore?: number,
  ): Promise<HeartbeatOutcome>;
  /**
   * Of the given jobs, those no longer running: the replicas these hosts may still be
   * running, by host, for their agents to stop (a job cancelled or completed through another
   * coordinator): those in progress, whose leases end now as a heartbeat listing them would
   * end them, and those timed out (a cancellation ends leases, and a sweep may come first).
   */
  stopEndedWork(
    hostIds: readonly number[],
    jobIds: readonly number[],
    now: number,
  ): Promise<HostReplicas[]>;
  /** Records what a host says changed about it (free disk, benchmark speed). */
  updateHost(hostId: number, update: HostUpdate): Promise<void>;
  /** What the host declared and its reputation, for matching requirements; null if unknown. */
  hostCapabilities(hostId: number): Promise<HostCapabilities | null>;
  /** Every running job's requirements, deadline and task size, by job id (the scheduler's start). */
  jobPlacements(): Promise<Map<number, JobPlacementFacts>>;
  /**
   * What a quote reads: the given connected hosts, the module's measured task size (when
   * named), and the replicas queued at or above `priority`.
   */
  quoteFacts(
    moduleHash: string | undefined,
    hostIds: readonly number[],
    priority: number,
    now: number,
    seenSince?: number,
  ): Promise<QuoteFacts>;
  /**
   * The facts of a job's diagnostics against the given connected hosts and those seen at
   * or after `seenSince` (connected to another coordinator sharing the store); null if the
   * job does not exist or the principal may not see it. Throws JobPurgedError like `getJob`.
   */
  diagnosticsFacts(
    jobId: number,
    principal: Principal,
    hostIds: readonly number[],
    now: number,
    seenSince?: number,
    /** False: the task counts are not read (zeros), for a caller that needs only the hosts. */
    countTasks?: boolean,
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

  /**
   * A money request (credit, stake, unstake, payout), once per idempotency key: the same
   * key again answers what it answered first. Throws InsufficientBalanceError when the
   * account it draws on holds too little, IdempotencyKeyReusedError for a key used by
   * another request. One transaction (docs/incentives.md).
   */
  moveMoney(move: MoneyMove, now: number): Promise<MoneyResponse>;
  /** An account's balance, earnings and stake. */
  balances(accountId: number): Promise<AccountBalances>;
  /** An account's ledger entries after a posting cursor, oldest first. */
  statement(accountId: number, after: number, limit: number): Promise<Statement>;
  /** What each provider earned since a posting cursor, for an operator's payment system. */
  payouts(after: number): Promise<Payouts>;
  /** The ledger's invariant (policy/ledger-rules.ts), read in one transaction. */
  ledgerCheck(): Promise<LedgerCheck>;

  /** Counts for metrics and the dashboard. */
  stats(): Promise<{
    unsent: number;
    inProgress: number;
    activeJobs: number;
    hosts: number;
    quarantinedHosts: number;
  }>;
}
