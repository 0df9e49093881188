/**
 * @module
 * The parts the SQL store (sqlite-store.ts) hands its verbs to, one a concept, and how
 * they are wired to each other from the store's rules. Apart from the facade so that the
 * facade reads as the `Store` contract, one verb a line, and the wiring's order (who is
 * built on whom) reads in one place.
 */

import { basisPoints, type Random } from '../../policy/index.js';
import type { JobMeta } from '../rows.js';
import type { StoreRules } from '../store.js';
import { SqliteAccounts } from './sqlite-accounts.js';
import { SqliteBlobRefs } from './sqlite-blob-refs.js';
import { SqliteComparisons } from './sqlite-comparisons.js';
import { SqliteDashboard } from './sqlite-dashboard.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { SqliteHeldWork } from './sqlite-held-work.js';
import { SqliteHostLifecycle } from './sqlite-host-lifecycle.js';
import { SqliteHosts } from './sqlite-hosts.js';
import { SqliteJobIntake } from './sqlite-job-intake.js';
import { SqliteJobLifecycle } from './sqlite-job-lifecycle.js';
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

/** The store's parts, built once the schema is current. */
export interface SqlStoreParts {
  readonly settlement: SqliteSettlement;
  readonly work: SqliteWork;
  readonly heldWork: SqliteHeldWork;
  readonly results: SqliteResults;
  readonly hosts: SqliteHosts;
  readonly hostLifecycle: SqliteHostLifecycle;
  readonly comparisons: SqliteComparisons;
  readonly records: SqliteValidationRecords;
  readonly blobRefs: SqliteBlobRefs;
  readonly purge: SqlitePurge;
  readonly placement: SqlitePlacement;
  readonly leases: SqliteLeases;
  readonly leadership: SqliteLeadership;
  readonly ready: SqliteReady;
  readonly stranded: SqliteStranded;
  readonly intake: SqliteJobIntake;
  readonly jobLifecycle: SqliteJobLifecycle;
  readonly dashboard: SqliteDashboard;
  readonly taskView: SqliteTaskView;
  readonly jobViews: SqliteJobViews;
  readonly accounts: SqliteAccounts;
  readonly money: SqliteMoney;
}

/**
 * Builds the parts on `db` under `options`. `metaOf` reads a job's cached meta;
 * `forget` drops it, for when a job's row changes under it or is rolled back.
 */
export function sqlStoreParts(
  db: SqliteDatabase,
  options: SqliteStoreOptions,
  metaOf: (jobId: number) => JobMeta,
  forget: (jobId: number) => void,
): SqlStoreParts {
  const hosts = new SqliteHosts(db, options.dailyQuota);
  const random = options.random ?? Math.random;
  const feeBps = basisPoints(options.feePercent ?? 5);
  const slashBps = basisPoints(options.slashPercent ?? 10);
  const settlement = new SqliteSettlement(db, metaOf, hosts, random, { feeBps, slashBps });
  const comparisons = new SqliteComparisons(db, settlement, metaOf);
  const blobRefs = new SqliteBlobRefs(db);
  const work = new SqliteWork(
    db,
    settlement,
    metaOf,
    hosts,
    comparisons,
    options.networkRule,
    random,
  );
  const heldWork = new SqliteHeldWork(db, settlement, metaOf);
  const results = new SqliteResults(db);
  const records = new SqliteValidationRecords(db);
  const intake = new SqliteJobIntake(db, settlement, blobRefs, metaOf, forget);
  const accounts = new SqliteAccounts(db);
  const money = new SqliteMoney(db, settlement.payments, metaOf, feeBps);
  const purge = new SqlitePurge(db);
  const placement = new SqlitePlacement(db, hosts.quota, options.networkRule ?? 'public');
  const dashboard = new SqliteDashboard(db);
  const taskView = new SqliteTaskView(db);
  const jobViews = new SqliteJobViews(db, settlement);
  const leases = new SqliteLeases(db, settlement);
  const leadership = new SqliteLeadership(db);
  const ready = new SqliteReady(db, metaOf);
  const stranded = new SqliteStranded(db, settlement, metaOf, options.networkRule ?? 'public');
  return {
    settlement,
    work,
    heldWork,
    results,
    hosts,
    hostLifecycle: new SqliteHostLifecycle(db, hosts, leases, settlement, records, heldWork),
    comparisons,
    records,
    blobRefs,
    purge,
    placement,
    leases,
    leadership,
    ready,
    stranded,
    intake,
    jobLifecycle: new SqliteJobLifecycle(db, intake, money, jobViews, settlement, forget),
    dashboard,
    taskView,
    jobViews,
    accounts,
    money,
  };
}
