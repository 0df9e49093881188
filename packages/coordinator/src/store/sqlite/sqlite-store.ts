/**
 * @module
 * The store's verbs in SQL behind the async `Store` contract, on any database with the
 * synchronous interface of sql-database.ts: the embedded SQLite file (`SqliteStore`,
 * better-sqlite3, WAL) or PostgreSQL (postgres/postgres-store.ts). Statements are
 * prepared once; every operation is one transaction. The drivers are synchronous, so a
 * transaction never interleaves with another request of this process. Each verb is handed
 * to the part that holds its concept (sqlite-store-parts.ts); the facade keeps the job
 * meta cache they share.
 */

import type {
  CreditStanding,
  HostUpdate,
  JobTasksQuery,
  LeaderboardQuery,
  RegisterHostRequest,
  Role,
} from '@anygrid/protocol';
import { workAllowance } from '../../policy/index.js';
import { standingOf } from '../host-rows.js';
import { type JobMeta, type JobRow, jobMeta } from '../rows.js';
import type { SqlDatabase, SqlEngine } from '../sql-database.js';
import type {
  ComparisonVerdict,
  GridScope,
  HostBuffer,
  HostOrigin,
  MoneyMove,
  NewJob,
  Placement,
  Principal,
  ReplicaPick,
  Store,
  StrandedScope,
  VerifiedReport,
} from '../store.js';
import { ChangeCollector } from './sqlite-change-collector.js';
import { sqliteEngine, statementCache, transactionRunner } from './sqlite-database.js';
import type { SqlitePlacement } from './sqlite-placement.js';
import {
  type SqliteStoreOptions,
  type SqlStoreParts,
  sqlStoreParts,
} from './sqlite-store-parts.js';

export type { SqliteStoreOptions } from './sqlite-store-parts.js';

/** A `seenSince` no host was seen after: finite, as PostgreSQL takes no infinity for a BIGINT. */
const NOT_SEEN = Number.MAX_SAFE_INTEGER;

export class SqlStore implements Store {
  readonly kind: string;
  /** The migrations the last `migrate()` applied (none when the schema was current). */
  appliedMigrations: readonly number[] = [];
  private readonly db: SqlDatabase;
  private readonly metaCache = new Map<number, JobMeta>();
  private parts: SqlStoreParts | undefined;

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

  async migrate() {
    this.appliedMigrations = this.engine.migrate(Date.now());
    // A job's cached meta must not outlive a change to its graph flag.
    const forget = (jobId: number) => this.metaCache.delete(jobId);
    this.parts = sqlStoreParts(this.db, this.options, (jobId) => this.meta(jobId), forget);
  }

  async close() {
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
  ) {
    return this.p.accounts.createToken(role, account, tokenHash, label, now);
  }

  async findToken(tokenHash: string) {
    return this.p.accounts.findToken(tokenHash);
  }

  async listAccounts(limit: number) {
    return this.p.accounts.listAccounts(limit);
  }

  async setAccountShare(accountId: number, share: number) {
    return this.p.accounts.setAccountShare(accountId, share);
  }

  async accountShares() {
    return this.p.accounts.accountShares();
  }

  async registerHost(
    accountId: number,
    host: RegisterHostRequest,
    now: number,
    origin: HostOrigin = {},
  ) {
    return (await this.joinHost(accountId, host, now, origin)).hostId;
  }

  async joinHost(
    accountId: number,
    host: RegisterHostRequest,
    now: number,
    origin: HostOrigin = {},
  ) {
    return this.p.hostLifecycle.join(accountId, host, now, origin);
  }

  async releaseSilentHosts(cutoff: number, now: number) {
    return this.p.hostLifecycle.releaseSilent(cutoff, now);
  }

  async failStrandedTasks(scope: StrandedScope, now: number) {
    const changes = new ChangeCollector();
    const { settlement, stranded } = this.p;
    return this.inTx(() => {
      const failed = stranded.sweep(scope, now, changes);
      settlement.flushCounters(now, changes);
      return { failed, changes: changes.toChangeSet() };
    });
  }

  async hostAllowance(hostId: number, requested: number, now: number) {
    const row = this.p.hosts.standing(hostId);
    return row ? workAllowance(standingOf(row, this.p.hosts.quota), requested, now) : 0;
  }

  async listHosts(principal: Principal, limit: number, now: number) {
    return this.p.hosts.list(principal, limit, now);
  }

  async getHost(hostId: number, principal: Principal, now: number) {
    return this.p.hosts.view(hostId, now, principal);
  }

  async releaseHost(hostId: number, now: number) {
    return this.p.hostLifecycle.releaseQuarantine(hostId, now);
  }

  async creditStanding(kind: 'host' | 'account' | 'team', id: number, now: number) {
    return this.p.settlement.credit.standing(kind, id, now) satisfies CreditStanding;
  }

  async creditStandings(kind: 'host' | 'account' | 'team', ids: readonly number[], now: number) {
    return this.p.settlement.credit.standings(kind, ids, now);
  }

  async leaderboard(query: LeaderboardQuery, now: number) {
    return this.p.settlement.credit.leaderboard(query, now);
  }

  async createTeam(accountId: number, name: string, now: number) {
    return this.inTx(() => this.p.settlement.credit.createTeam(accountId, name, now));
  }

  async joinTeam(accountId: number, name: string, now: number) {
    return this.inTx(() => this.p.settlement.credit.joinTeam(accountId, name, now));
  }

  async moveHosts(from: number, to: number, _now: number) {
    return this.p.hostLifecycle.move(from, to);
  }

  async hostOwner(hostId: number) {
    return this.p.hostLifecycle.owner(hostId);
  }

  async createJob(accountId: number, job: NewJob, now: number) {
    return this.p.jobLifecycle.create(accountId, job, now);
  }

  async addTasks(
    jobId: number,
    from: number,
    tasks: NewJob['tasks'],
    now: number,
    partsUntil?: number,
  ) {
    return this.p.jobLifecycle.addTasks(jobId, from, tasks, now, partsUntil);
  }

  async incompleteJobs() {
    return this.p.jobLifecycle.incomplete();
  }

  async expiredParts(now: number) {
    return this.p.jobLifecycle.expiredParts(now);
  }

  async getJob(jobId: number, principal: Principal) {
    return this.p.jobViews.visible(jobId, principal);
  }

  async listJobs(principal: Principal, limit: number) {
    return this.p.jobViews.list(principal, limit);
  }

  async cancelJob(jobId: number, now: number) {
    return this.p.jobLifecycle.cancel(jobId, now);
  }

  async taskView(jobId: number, index: number) {
    return this.p.taskView.read(jobId, index);
  }

  async listResults(jobId: number, after: number, limit: number) {
    return this.p.results.list(jobId, after, limit);
  }

  async listEncodedResults(jobId: number, after: number, limit: number) {
    return this.p.results.listEncoded(jobId, after, limit);
  }

  async readyReplicas() {
    return this.p.ready.all();
  }

  async readyReplicaIds(afterId: number) {
    return this.p.ready.idsAbove(afterId);
  }

  async readyReplicasIn(ids: readonly number[]) {
    return this.p.ready.among(ids);
  }

  async newestReplicaId() {
    return this.p.ready.newestId();
  }

  async resultCursor() {
    return Number(
      this.sql(`SELECT value FROM counters WHERE name = 'result_cursor'`).pluck().get(),
    );
  }

  async claimLease(name: string, holder: string, now: number, ttlMs: number, supersedes?: string) {
    return this.inTx(() => this.p.leadership.claim(name, holder, now, now + ttlMs, supersedes));
  }

  async releaseLease(name: string, holder: string, now: number) {
    return this.p.leadership.release(name, holder, now);
  }

  async readLease(name: string) {
    return this.p.leadership.get(name);
  }

  async liveLeaseHolders(prefix: string, now: number) {
    return this.p.leadership.liveHolders(prefix, now);
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

  async heartbeat(
    hostId: number,
    replicaIds: readonly number[],
    now: number,
    lostBefore = Number.NEGATIVE_INFINITY,
  ) {
    return this.p.hostLifecycle.heartbeat(hostId, replicaIds, now, lostBefore);
  }

  async stopEndedWork(hostIds: readonly number[], jobIds: readonly number[], now: number) {
    return this.p.heldWork.stopEndedWork(hostIds, jobIds, now);
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
    seenSince = NOT_SEEN,
  ) {
    return this.p.placement.quoteFacts(moduleHash, hostIds, priority, now, seenSince);
  }

  async jobPlacements() {
    return this.p.placement.runningJobs();
  }

  async diagnosticsFacts(
    jobId: number,
    principal: Principal,
    hostIds: readonly number[],
    now: number,
    seenSince = NOT_SEEN,
    countTasks = true,
  ) {
    // The same visibility and purge rules as the job itself.
    if ((await this.getJob(jobId, principal)) === null) return null;
    const row = this.sql('SELECT * FROM jobs WHERE id = ?').get(jobId) as Parameters<
      SqlitePlacement['diagnosticsFacts']
    >[0];
    return this.p.placement.diagnosticsFacts(row, hostIds, now, seenSince, countTasks);
  }

  async markAvailable(hostIds: readonly number[], seenSince: number, now: number) {
    return this.p.hostLifecycle.markAvailable(hostIds, seenSince, now);
  }

  async recordBandwidth(hostId: number, bytesPerS: number) {
    this.p.hosts.recordBandwidth(hostId, bytesPerS);
  }

  async abandon(hostId: number, replicaIds: readonly number[], now: number) {
    return this.p.heldWork.abandon(hostId, replicaIds, now);
  }

  async expireDeadlines(now: number, limit: number) {
    return this.p.heldWork.expire(now, limit);
  }

  async pendingComparisons(limit: number) {
    return this.p.comparisons.listPending(limit);
  }

  async recordCheckpoint(
    hostId: number,
    replicaId: number,
    state: { readonly hash: string; readonly size: number } | null,
    fraction: number | null,
    now: number,
  ) {
    return this.p.heldWork.checkpoint(hostId, replicaId, state, fraction, now);
  }

  async applyComparison(verdict: ComparisonVerdict, now: number) {
    return this.p.comparisons.apply(verdict, now);
  }

  async graphInput(hash: string) {
    return this.p.settlement.graph.input(hash);
  }

  async purgeDue(finishedBefore: number, limit: number) {
    return this.p.purge.listDue(finishedBefore, limit);
  }

  async beginPurge(jobId: number, now: number) {
    return this.p.purge.begun(jobId, now);
  }

  async purgeStep(jobId: number, maxTasks: number, now: number) {
    const step = this.p.purge.step(jobId, maxTasks, now);
    if (step.done) this.metaCache.delete(jobId);
    return step;
  }

  async blobsInUse(hashes: readonly string[]) {
    return this.p.blobRefs.inUse(hashes);
  }

  async reclaimSpace(maxPages: number) {
    return this.engine.reclaimSpace(maxPages);
  }

  async gridSnapshot(principal: Principal, scope: GridScope, now: number) {
    return this.p.dashboard.snapshot(principal, scope, now);
  }

  async jobTasks(jobId: number, query: JobTasksQuery) {
    return this.p.dashboard.tasks(jobId, query);
  }

  async moveMoney(move: MoneyMove, now: number) {
    return this.inTx(() => this.p.money.move(move, now));
  }

  async balances(accountId: number) {
    return this.p.money.balances(accountId);
  }

  async statement(accountId: number, after: number, limit: number) {
    return this.inTx(() => this.p.money.statement(accountId, after, limit));
  }

  async payouts(after: number) {
    return this.inTx(() => this.p.money.payouts(after));
  }

  async ledgerCheck() {
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
