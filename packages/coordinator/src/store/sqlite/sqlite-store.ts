/**
 * @module
 * The store's verbs in SQL behind the async `Store` contract, on any database with the
 * synchronous interface of sql-database.ts: the embedded SQLite file (`SqliteStore`,
 * better-sqlite3, WAL) or PostgreSQL (postgres/postgres-store.ts). Statements are
 * prepared once; every operation is one transaction. The drivers are synchronous, so a
 * transaction never interleaves with another request of this process.
 */

import type {
  AccountBalances,
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
  Role,
  Statement,
  TaskResult,
  TaskView,
  TeamView,
} from '@anygrid/protocol';
import {
  basisPoints,
  type LeaseState,
  type Random,
  type ReadyReplica,
  workAllowance,
} from '../../policy/index.js';
import { standingOf } from '../host-rows.js';
import { type JobMeta, type JobRow, jobMeta } from '../rows.js';
import type { SqlDatabase, SqlEngine } from '../sql-database.js';
import type {
  AccountRow,
  ChangeSet,
  ComparisonVerdict,
  EncodedResult,
  GridScope,
  HostBuffer,
  HostOrigin,
  JoinedHost,
  MoneyMove,
  NewJob,
  PendingComparison,
  Placement,
  Principal,
  PurgeDue,
  PurgeStep,
  ReplicaPick,
  Store,
  StoreRules,
  StrandedScope,
  VerifiedReport,
} from '../store.js';
import { SqliteAccounts } from './sqlite-accounts.js';
import { SqliteBlobRefs } from './sqlite-blob-refs.js';
import { ChangeCollector } from './sqlite-change-collector.js';
import { SqliteComparisons } from './sqlite-comparisons.js';
import { SqliteDashboard } from './sqlite-dashboard.js';
import { sqliteEngine, statementCache, transactionRunner } from './sqlite-database.js';
import { SqliteHosts } from './sqlite-hosts.js';
import { SqliteJobIntake } from './sqlite-job-intake.js';
import { SqliteJobViews } from './sqlite-job-views.js';
import { SqliteLeadership } from './sqlite-leadership.js';
import { SqliteLeases } from './sqlite-leases.js';
import { SqliteMoney } from './sqlite-money.js';
import { SqlitePlacement } from './sqlite-placement.js';
import { SqlitePurge } from './sqlite-purge.js';
import { SqliteReady } from './sqlite-ready.js';
import { SqliteResults } from './sqlite-results.js';
import { SqliteSettlement } from './sqlite-settlement.js';
import { SqliteStranded } from './sqlite-stranded.js';
import { SqliteTaskView } from './sqlite-task-view.js';
import { SqliteValidationRecords } from './sqlite-validation-records.js';
import { SqliteWork } from './sqlite-work.js';

/** The rules this store enforces (see `StoreRules`). */
export interface SqliteStoreOptions extends StoreRules {
  /** Draws the adaptive rule's chances; default `Math.random`. */
  readonly random?: Random;
}

export class SqlStore implements Store {
  readonly kind: string;
  /** The migrations the last `migrate()` applied (none when the schema was current). */
  appliedMigrations: readonly number[] = [];
  private readonly db: SqlDatabase;
  private readonly metaCache = new Map<number, JobMeta>();
  private parts:
    | {
        settlement: SqliteSettlement;
        work: SqliteWork;
        results: SqliteResults;
        hosts: SqliteHosts;
        comparisons: SqliteComparisons;
        records: SqliteValidationRecords;
        blobRefs: SqliteBlobRefs;
        purge: SqlitePurge;
        placement: SqlitePlacement;
        leases: SqliteLeases;
        leadership: SqliteLeadership;
        ready: SqliteReady;
        stranded: SqliteStranded;
        intake: SqliteJobIntake;
        dashboard: SqliteDashboard;
        taskView: SqliteTaskView;
        jobViews: SqliteJobViews;
        accounts: SqliteAccounts;
        money: SqliteMoney;
      }
    | undefined;

  private readonly inTx;
  /** A prepared statement, compiled once per SQL text. */
  private readonly sql;

  /**
   * `options.random` draws the adaptive rule's chances (default `Math.random`); tests pass
   * a seeded one to replay a run.
   */
  constructor(
    private readonly engine: SqlEngine,
    private readonly options: SqliteStoreOptions = {},
  ) {
    this.kind = engine.kind;
    this.db = engine.db;
    this.inTx = transactionRunner(this.db);
    this.sql = statementCache(this.db);
  }

  async migrate(): Promise<void> {
    this.appliedMigrations = this.engine.migrate(Date.now());
    const metaOf = (jobId: number) => this.meta(jobId);
    const hosts = new SqliteHosts(this.db, this.options.dailyQuota);
    const random = this.options.random ?? Math.random;
    const feeBps = basisPoints(this.options.feePercent ?? 5);
    const slashBps = basisPoints(this.options.slashPercent ?? 10);
    const settlement = new SqliteSettlement(this.db, metaOf, hosts, random, { feeBps, slashBps });
    const comparisons = new SqliteComparisons(this.db, settlement, metaOf);
    const blobRefs = new SqliteBlobRefs(this.db);
    // A job's cached meta must not outlive a change to its graph flag.
    const forget = (jobId: number) => this.metaCache.delete(jobId);
    this.parts = {
      settlement,
      work: new SqliteWork(
        this.db,
        settlement,
        metaOf,
        hosts,
        comparisons,
        this.options.networkRule,
        random,
      ),
      results: new SqliteResults(this.db),
      hosts,
      comparisons,
      records: new SqliteValidationRecords(this.db),
      blobRefs,
      intake: new SqliteJobIntake(this.db, settlement, blobRefs, metaOf, forget),
      accounts: new SqliteAccounts(this.db),
      money: new SqliteMoney(this.db, settlement.payments, metaOf, feeBps),
      purge: new SqlitePurge(this.db),
      placement: new SqlitePlacement(this.db, hosts.quota),
      dashboard: new SqliteDashboard(this.db),
      taskView: new SqliteTaskView(this.db),
      jobViews: new SqliteJobViews(this.db, settlement),
      leases: new SqliteLeases(this.db, settlement),
      leadership: new SqliteLeadership(this.db),
      ready: new SqliteReady(this.db, metaOf),
      stranded: new SqliteStranded(
        this.db,
        settlement,
        metaOf,
        this.options.networkRule ?? 'public',
      ),
    };
  }

  async close(): Promise<void> {
    this.db.close();
  }

  private get p() {
    if (!this.parts) throw new Error('SqliteStore used before migrate()');
    return this.parts;
  }

  private meta(jobId: number): JobMeta {
    let meta = this.metaCache.get(jobId);
    if (!meta) {
      const row = this.sql(
        'SELECT account_id, module_hash, module_size, argv0, policy, signature, graph, requirements, variants FROM jobs WHERE id = ?',
      ).get(jobId) as JobRow | undefined;
      if (!row) throw new Error(`job ${jobId} vanished from the store`);
      meta = jobMeta(row);
      if (row.variants === 1) meta = { ...meta, variants: this.p.settlement.variants.of(jobId) };
      this.metaCache.set(jobId, meta);
    }
    return meta;
  }

  async createToken(
    role: Role,
    account: string | undefined,
    tokenHash: string,
    label: string | undefined,
    now: number,
  ): Promise<Principal> {
    return this.p.accounts.createToken(role, account, tokenHash, label, now);
  }

  async findToken(tokenHash: string): Promise<Principal | null> {
    return this.p.accounts.findToken(tokenHash);
  }

  async listAccounts(limit: number): Promise<AccountRow[]> {
    return this.p.accounts.listAccounts(limit);
  }

  async setAccountShare(accountId: number, share: number): Promise<AccountRow | null> {
    return this.p.accounts.setAccountShare(accountId, share);
  }

  async accountShares(): Promise<Map<number, number>> {
    return this.p.accounts.accountShares();
  }

  async registerHost(
    accountId: number,
    host: RegisterHostRequest,
    now: number,
    origin: HostOrigin = {},
  ): Promise<number> {
    return (await this.joinHost(accountId, host, now, origin)).hostId;
  }

  async joinHost(
    accountId: number,
    host: RegisterHostRequest,
    now: number,
    origin: HostOrigin = {},
  ): Promise<JoinedHost> {
    const changes = new ChangeCollector();
    const { settlement, leases } = this.p;
    const joined = this.inTx(() => {
      const hostId = this.p.hosts.register(accountId, host, now, origin);
      this.p.hosts.markConnected([hostId], now);
      if (hostId !== host.hostId) return { hostId, released: 0 };
      const keep = new Set(host.holding ?? []);
      const { released, kept } = leases.release(hostId, keep, 'rejoined', now, changes);
      settlement.flushCounters(now, changes);
      leases.syncInFlight(hostId, kept);
      const bandwidth = this.p.hosts.bandwidth(hostId);
      return bandwidth === undefined ? { hostId, released } : { hostId, released, bandwidth };
    });
    return { ...joined, changes: changes.toChangeSet() };
  }

  async releaseSilentHosts(
    cutoff: number,
    now: number,
  ): Promise<{ hosts: number[]; released: number; changes: ChangeSet }> {
    const changes = new ChangeCollector();
    const { settlement, leases } = this.p;
    return this.inTx(() => {
      const hosts = leases.silentSince(cutoff);
      let released = 0;
      for (const hostId of hosts) {
        released += leases.release(hostId, new Set(), 'silent', now, changes).released;
      }
      settlement.flushCounters(now, changes);
      for (const hostId of hosts) {
        leases.syncInFlight(hostId, 0);
        leases.markSilent(hostId, now);
      }
      return { hosts, released, changes: changes.toChangeSet() };
    });
  }

  async failStrandedTasks(
    scope: StrandedScope,
    now: number,
  ): Promise<{ failed: number; changes: ChangeSet }> {
    const changes = new ChangeCollector();
    const { settlement, stranded } = this.p;
    return this.inTx(() => {
      const failed = stranded.sweep(scope, now, changes);
      settlement.flushCounters(now, changes);
      return { failed, changes: changes.toChangeSet() };
    });
  }

  async hostAllowance(hostId: number, requested: number, now: number): Promise<number> {
    const row = this.p.hosts.standing(hostId);
    return row ? workAllowance(standingOf(row, this.p.hosts.quota), requested, now) : 0;
  }

  async listHosts(principal: Principal, limit: number, now: number): Promise<HostList> {
    return this.p.hosts.list(principal, limit, now);
  }

  async getHost(hostId: number, principal: Principal, now: number): Promise<HostView | null> {
    return this.p.hosts.view(hostId, now, principal);
  }

  async releaseHost(
    hostId: number,
    now: number,
  ): Promise<{ released: boolean; host: HostView } | null> {
    return this.inTx(() => {
      const released = this.p.hosts.releaseQuarantine(hostId);
      const host = this.p.hosts.view(hostId, now);
      if (!host) return null;
      if (released) {
        this.p.records.releasedByAdmin(hostId, now);
        this.p.settlement.event(now, 'host_released', { host: hostId });
      }
      return { released, host };
    });
  }

  async creditStanding(kind: 'host' | 'account' | 'team', id: number, now: number) {
    return this.p.settlement.credit.standing(kind, id, now) satisfies CreditStanding;
  }

  async leaderboard(query: LeaderboardQuery, now: number): Promise<LeaderboardEntry[]> {
    return this.p.settlement.credit.leaderboard(query, now);
  }

  async createTeam(accountId: number, name: string, now: number): Promise<TeamView> {
    return this.inTx(() => this.p.settlement.credit.createTeam(accountId, name, now));
  }

  async joinTeam(accountId: number, name: string, now: number): Promise<TeamView> {
    return this.inTx(() => this.p.settlement.credit.joinTeam(accountId, name, now));
  }

  async moveHosts(from: number, to: number, _now: number): Promise<number[]> {
    return this.inTx(() => {
      const ids = this.sql('SELECT id FROM hosts WHERE account_id = ? ORDER BY id')
        .pluck()
        .all(from) as number[];
      this.sql('UPDATE hosts SET account_id = ? WHERE account_id = ?').run(to, from);
      return ids;
    });
  }

  async hostOwner(hostId: number): Promise<number | null> {
    const owner = this.sql('SELECT account_id FROM hosts WHERE id = ?').pluck().get(hostId);
    return (owner as number | undefined) ?? null;
  }

  async createJob(
    accountId: number,
    job: NewJob,
    now: number,
  ): Promise<{ job: JobView; changes: ChangeSet }> {
    const changes = new ChangeCollector();
    let created: number | undefined;
    let jobId: number;
    try {
      jobId = this.inTx(() => {
        created = this.p.intake.createJob(accountId, job, now, changes);
        // Throwing here rolls the job back: a paid job the balance cannot cover is not written.
        this.p.money.reserve(accountId, created, job.tasksTotal ?? job.tasks.length, now);
        return created;
      });
    } catch (error) {
      // The rolled-back id may be given out again: its cached meta must not outlive it.
      if (created !== undefined) this.metaCache.delete(created);
      throw error;
    }
    changes.jobs.add(jobId);
    return { job: this.p.jobViews.byId(jobId) as JobView, changes: changes.toChangeSet() };
  }

  async addTasks(
    jobId: number,
    from: number,
    tasks: NewJob['tasks'],
    now: number,
    partsUntil?: number,
  ): Promise<{ added: number; changes: ChangeSet }> {
    const changes = new ChangeCollector();
    const added = this.inTx(() =>
      this.p.intake.addTasks(jobId, from, tasks, now, changes, partsUntil),
    );
    if (added > 0) changes.jobs.add(jobId);
    return { added, changes: changes.toChangeSet() };
  }

  async incompleteJobs(): Promise<number[]> {
    return this.sql(
      `SELECT j.id FROM jobs j WHERE j.state = 'running' AND j.parts_until IS NULL
         AND j.tasks_total > (SELECT COUNT(*) FROM tasks t WHERE t.job_id = j.id)`,
    )
      .pluck()
      .all() as number[];
  }

  async expiredParts(now: number): Promise<number[]> {
    return this.sql(`SELECT id FROM jobs WHERE state = 'running' AND parts_until < ?`)
      .pluck()
      .all(now) as number[];
  }

  async getJob(jobId: number, principal: Principal): Promise<JobView | null> {
    return this.p.jobViews.visible(jobId, principal);
  }

  async listJobs(principal: Principal, limit: number): Promise<JobView[]> {
    return this.p.jobViews.list(principal, limit);
  }

  async cancelJob(jobId: number, now: number): Promise<ChangeSet> {
    const { settlement } = this.p;
    return this.inTx(() => {
      const changes = new ChangeCollector();
      // The state first: settling the last tasks must not mark the job completed.
      this.sql(
        `UPDATE jobs SET state = 'cancelled', finished_at = ? WHERE id = ? AND state = 'running'`,
      ).run(now, jobId);
      const active = this.sql(
        `SELECT id FROM tasks WHERE job_id = ? AND state = 'active' ORDER BY idx`,
      )
        .pluck()
        .all(jobId) as number[];
      for (const taskId of active) settlement.settle(taskId, jobId, 'cancelled', null, changes);
      changes.moneyJobs.add(jobId);
      settlement.flushCounters(now, changes);
      settlement.event(now, 'job_cancelled', { job: jobId });
      changes.jobs.add(jobId);
      return changes.toChangeSet();
    });
  }

  async taskView(jobId: number, index: number): Promise<TaskView | null> {
    return this.p.taskView.read(jobId, index);
  }

  async listResults(jobId: number, after: number, limit: number): Promise<TaskResult[]> {
    return this.p.results.list(jobId, after, limit);
  }

  async listEncodedResults(jobId: number, after: number, limit: number): Promise<EncodedResult[]> {
    return this.p.results.listEncoded(jobId, after, limit);
  }

  async readyReplicas(): Promise<ReadyReplica[]> {
    return this.p.ready.all();
  }

  async readyReplicasAfter(afterId: number): Promise<ReadyReplica[]> {
    return this.p.ready.after(afterId);
  }

  async readyReplicaIds(afterId: number): Promise<number[]> {
    return this.p.ready.idsAbove(afterId);
  }

  async newestReplicaId(): Promise<number> {
    return this.p.ready.newestId();
  }

  async resultCursor(): Promise<number> {
    return Number(
      this.sql(`SELECT value FROM counters WHERE name = 'result_cursor'`).pluck().get(),
    );
  }

  async claimLease(
    name: string,
    holder: string,
    now: number,
    ttlMs: number,
    supersedes?: string,
  ): Promise<LeaseState> {
    return this.inTx(() => this.p.leadership.claim(name, holder, now, now + ttlMs, supersedes));
  }

  async releaseLease(name: string, holder: string, now: number): Promise<boolean> {
    return this.p.leadership.release(name, holder, now);
  }

  async readLease(name: string): Promise<LeaseState | null> {
    return this.p.leadership.get(name);
  }

  async assignReplicas(
    hostId: number,
    picks: readonly ReplicaPick[],
    now: number,
    placement?: Placement,
    buffer?: HostBuffer,
  ) {
    return this.p.work.assign(hostId, picks, now, placement, buffer);
  }

  async applyReports(hostId: number, reports: readonly VerifiedReport[], now: number) {
    return this.p.work.applyReports(hostId, reports, now);
  }

  async heartbeat(hostId: number, replicaIds: readonly number[], now: number) {
    return this.p.work.heartbeat(hostId, replicaIds, now);
  }

  async updateHost(hostId: number, update: HostUpdate) {
    this.p.hosts.update(hostId, update);
  }

  async hostCapabilities(hostId: number) {
    return this.p.placement.capabilities(hostId);
  }

  async quoteFacts(
    moduleHash: string | undefined,
    hostIds: readonly number[],
    priority: number,
    now: number,
  ) {
    return this.p.placement.quoteFacts(moduleHash, hostIds, priority, now);
  }

  async jobPlacements() {
    return this.p.placement.runningJobs();
  }

  async diagnosticsFacts(
    jobId: number,
    principal: Principal,
    hostIds: readonly number[],
    now: number,
  ) {
    // The same visibility and purge rules as the job itself.
    if ((await this.getJob(jobId, principal)) === null) return null;
    const row = this.sql('SELECT * FROM jobs WHERE id = ?').get(jobId) as Parameters<
      SqlitePlacement['diagnosticsFacts']
    >[0];
    return this.p.placement.diagnosticsFacts(row, hostIds, now);
  }

  async markAvailable(hostIds: readonly number[], seenSince: number, now: number) {
    const { hosts } = this.p;
    return this.inTx(() =>
      hosts.markConnected(new Set([...hostIds, ...hosts.seenUnmarked(seenSince, now)]), now),
    );
  }

  async recordBandwidth(hostId: number, bytesPerS: number) {
    this.p.hosts.recordBandwidth(hostId, bytesPerS);
  }

  async abandon(hostId: number, replicaIds: readonly number[], now: number) {
    return this.p.work.abandon(hostId, replicaIds, now);
  }

  async expireDeadlines(now: number, limit: number) {
    return this.p.work.expire(now, limit);
  }

  async pendingComparisons(limit: number): Promise<PendingComparison[]> {
    return this.p.comparisons.listPending(limit);
  }

  async recordCheckpoint(
    hostId: number,
    replicaId: number,
    state: { readonly hash: string; readonly size: number } | null,
    fraction: number | null,
    now: number,
  ): Promise<'recorded' | 'stale'> {
    return this.p.work.checkpoint(hostId, replicaId, state, fraction, now);
  }

  async applyComparison(verdict: ComparisonVerdict, now: number): Promise<ChangeSet> {
    return this.p.comparisons.apply(verdict, now);
  }

  async graphInput(hash: string): Promise<Uint8Array | null> {
    return this.p.settlement.graph.input(hash);
  }

  async purgeDue(finishedBefore: number, limit: number): Promise<PurgeDue[]> {
    return this.p.purge.listDue(finishedBefore, limit);
  }

  async beginPurge(jobId: number, now: number): Promise<boolean> {
    return this.p.purge.begun(jobId, now);
  }

  async purgeStep(jobId: number, maxTasks: number, now: number): Promise<PurgeStep> {
    const step = this.p.purge.step(jobId, maxTasks, now);
    if (step.done) this.metaCache.delete(jobId);
    return step;
  }

  async blobsInUse(hashes: readonly string[]): Promise<Set<string>> {
    return this.p.blobRefs.inUse(hashes);
  }

  async reclaimSpace(maxPages: number): Promise<{ freed: number; free: number; total: number }> {
    return this.engine.reclaimSpace(maxPages);
  }

  async gridSnapshot(principal: Principal, scope: GridScope, now: number): Promise<GridSnapshot> {
    return this.p.dashboard.snapshot(principal, scope, now);
  }

  async jobTasks(jobId: number, query: JobTasksQuery): Promise<JobTaskPage> {
    return this.p.dashboard.tasks(jobId, query);
  }

  async moveMoney(move: MoneyMove, now: number): Promise<MoneyResponse> {
    return this.inTx(() => this.p.money.move(move, now));
  }

  async balances(accountId: number): Promise<AccountBalances> {
    return this.p.money.balances(accountId);
  }

  async statement(accountId: number, after: number, limit: number): Promise<Statement> {
    return this.inTx(() => this.p.money.statement(accountId, after, limit));
  }

  async payouts(after: number): Promise<Payouts> {
    return this.inTx(() => this.p.money.payouts(after));
  }

  async ledgerCheck(): Promise<LedgerCheck> {
    return this.inTx(() => this.p.money.check());
  }

  async stats() {
    const count = (sql: string) => this.sql(sql).pluck().get() as number;
    return {
      unsent: count(`SELECT COUNT(*) FROM replicas WHERE state = 'unsent'`),
      inProgress: count(`SELECT COUNT(*) FROM replicas WHERE state = 'in_progress'`),
      activeJobs: count(`SELECT COUNT(*) FROM jobs WHERE state = 'running'`),
      hosts: count('SELECT COUNT(*) FROM hosts'),
      quarantinedHosts: count('SELECT COUNT(*) FROM hosts WHERE quarantined_at IS NOT NULL'),
    };
  }
}

/** The embedded store: one SQLite file. */
export class SqliteStore extends SqlStore {
  constructor(path: string, options: SqliteStoreOptions = {}) {
    super(sqliteEngine(path), options);
  }
}
