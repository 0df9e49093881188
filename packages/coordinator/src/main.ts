/**
 * @module
 * Wires one coordinator process together: the store and blob folder under the data
 * directory, the services, the HTTP server and the deadline timer. The only place that
 * knows which adapters are in use. Several coordinators may share one store and one blob
 * folder (docs/scale-out.md): each polls the store for work the others made ready, and
 * the one holding the leader lease runs the sweeps that must run once.
 */

import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Role } from '@anygrid/protocol';
import pino, { type Logger } from 'pino';
import { FileBlobStore } from './blobs/file-blob-store.js';
import { buildServer } from './http/server.js';
import {
  basisPoints,
  type DailyQuotaParams,
  DEFAULT_RETENTION_MS,
  DEFAULT_SIGNUP_RATE,
  DEFAULT_STRANDED_MS,
  type NetworkRule,
  silenceAllowedMs,
} from './policy/index.js';
import { Accounts } from './services/accounts.js';
import { Comparator } from './services/comparator.js';
import { Dashboard } from './services/dashboard.js';
import { Diagnostics } from './services/diagnostics.js';
import { Hosts } from './services/hosts.js';
import { Hub } from './services/hub.js';
import { Janitor } from './services/janitor.js';
import { Jobs } from './services/jobs.js';
import { Leadership, type LeadershipStatus } from './services/leadership.js';
import { Membership } from './services/membership.js';
import { Metrics } from './services/metrics.js';
import { Providers } from './services/providers.js';
import { Quotes } from './services/quotes.js';
import { Scheduler } from './services/scheduler.js';
import { Transitioner } from './services/transitioner.js';
import { ValidatorRunner } from './services/validator-runner.js';
import { Volunteers } from './services/volunteers.js';
import { WorkDiscovery } from './services/work-discovery.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';

export const VERSION = '0.1.0';

export interface CoordinatorOptions {
  /** Directory holding the database, blobs and admin token; created if absent. */
  readonly dataDir: string;
  /**
   * The store: a `postgres://` URL (shared by several coordinators) or an SQLite file's
   * path. Default `anygrid.db` in the data directory.
   */
  readonly store?: string;
  /** TCP port; 0 picks a free one. Default 7070. */
  readonly port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  readonly host?: string;
  readonly logger?: Logger;
  /** How often leases should be renewed by running providers. Default 30 s. */
  readonly heartbeatMs?: number;
  /** How often overdue replicas are looked for. Default 500 ms. */
  readonly sweepMs?: number;
  /** How often replicas awaiting a numeric or validator comparison are looked for. Default 100 ms. */
  readonly compareMs?: number;
  /** How long a job sent in parts waits for its next part before it is cancelled. Default 10 min. */
  readonly partsWindowMs?: number;
  /**
   * Which host addresses the one-network rule covers (a task's replicas never on two hosts
   * of one IPv4 /24 or IPv6 /48): `public` (default; loopback and private ranges exempt),
   * `all`, or `off`.
   */
  readonly networkRule?: NetworkRule;
  /** Most hosts seen in the last day one account may have. Default `DEFAULT_MAX_HOSTS_PER_ACCOUNT`. */
  readonly maxHostsPerAccount?: number;
  /** Bounds of the daily replica quota. Default `DEFAULT_DAILY_QUOTA`. */
  readonly dailyQuota?: DailyQuotaParams;
  /** The platform fee on each payment, percent of the host's ask (docs/incentives.md). Default 5. */
  readonly feePercent?: number;
  /** The share of a staked host's stake each invalid result of it costs, percent. Default 10. */
  readonly slashPercent?: number;
  /**
   * Download bandwidth assumed for providers (bytes/s), weighed against waiting for a host
   * that holds a task's large inputs. Default `DEFAULT_BANDWIDTH_BYTES_PER_S` (5 MB/s).
   */
  readonly assumedBandwidth?: number;
  /**
   * How long after it finished a job's tasks, results and unused blobs are purged; null:
   * never. Default `DEFAULT_RETENTION_MS` (7 days).
   */
  readonly retentionMs?: number | null;
  /** Where each job's results are written (JSONL) before it is purged; none by default. */
  readonly archiveDir?: string;
  /** How often the janitor looks for jobs to purge. Default 60 s. */
  readonly janitorIntervalMs?: number;
  /** How long a blob no job uses is kept after its last upload. Default 1 h. */
  readonly blobGraceMs?: number;
  /**
   * Heartbeats a host may miss before its replicas go to other hosts. Default
   * `DEFAULT_MISSED_HEARTBEATS` (3).
   */
  readonly missedHeartbeats?: number;
  /**
   * How long a task that failed on every connected host it may run on waits for a new
   * host before it fails (`no_eligible_host`). Default `DEFAULT_STRANDED_MS` (60 s).
   */
  readonly strandedMs?: number;
  /** Most seconds of work per slot a host may hold, whatever it asks. Default `MAX_BUFFER_SECONDS`. */
  readonly maxBufferSeconds?: number;
  /** The built web pages; default `DEFAULT_WEB_DIR` (packages/web/dist in this repository). */
  readonly webDir?: string;
  /** Anonymous provider accounts one address may make per hour (the volunteer page). Default 20. */
  readonly volunteerSignupsPerHour?: number;
  /**
   * The blob folder; default DATA/blobs. Coordinators sharing one store share one folder
   * too, so that a blob uploaded through one is served by all.
   */
  readonly blobsDir?: string;
  /** How often the store is polled for work other coordinators made ready. Default 300 ms. */
  readonly discoveryMs?: number;
  /** How long the leader lease lasts unless renewed. Default `DEFAULT_LEADER_LEASE_MS` (10 s). */
  readonly leaderLeaseMs?: number;
}

/** packages/web/dist, beside this package in the repository (this file is packages/coordinator/dist/main.js). */
export const DEFAULT_WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** Hosts per account unless configured: a household or a lab, not a botnet. */
export const DEFAULT_MAX_HOSTS_PER_ACCOUNT = 100;

export interface Coordinator {
  readonly url: string;
  readonly port: number;
  readonly adminToken: string;
  readonly adminTokenPath: string;
  /** Whether this start created the admin token (first start on this data dir). */
  readonly adminTokenCreated: boolean;
  createToken(role: Role, account?: string): Promise<string>;
  /** This coordinator's holder id and whether it holds the leader lease now. */
  leadership(): LeadershipStatus;
  /** Calls `listener` with the new status each time this coordinator gains or loses the lease. */
  onLeadershipChange(listener: (status: LeadershipStatus) => void): void;
  close(): Promise<void>;
}

export async function startCoordinator(options: CoordinatorOptions): Promise<Coordinator> {
  const logger =
    options.logger ?? pino({ level: process.env.ANYGRID_LOG_LEVEL ?? 'info' }, pino.destination(2));
  // Holds tokens and every requester's data: its owner's alone (mode 700 when made here).
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const store: Store = openStore(options.store ?? join(options.dataDir, 'anygrid.db'), {
    networkRule: options.networkRule,
    dailyQuota: options.dailyQuota,
    feePercent: options.feePercent,
    slashPercent: options.slashPercent,
  });
  await store.migrate();
  const blobsDir = options.blobsDir ?? join(options.dataDir, 'blobs');
  const blobs = new FileBlobStore(blobsDir, (hash) => store.graphInput(hash));
  await blobs.init();

  const hub = new Hub();
  const metrics = new Metrics(store, hub);
  const startedAt = Date.now();
  const scheduler = new Scheduler(store, hub, metrics, {
    bandwidth: options.assumedBandwidth,
    maxBufferSeconds: options.maxBufferSeconds,
  });
  const accounts = new Accounts(store, scheduler);
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const silenceMs = silenceAllowedMs(heartbeatMs, options.missedHeartbeats);
  const diagnostics = new Diagnostics(store, scheduler, hub, silenceMs);
  const jobs = new Jobs(store, blobs, scheduler, options.partsWindowMs, diagnostics);
  // The fee the store charges (5 % unless configured), so a quote's max is what a submit reserves.
  const quotes = new Quotes(store, diagnostics, basisPoints(options.feePercent ?? 5));
  const leadership = new Leadership(store, logger, options.leaderLeaseMs);
  await leadership.start();
  // Before the queue is built: it holds only this coordinator's slot of the ready replicas.
  const membership = new Membership(store, leadership.holder, logger, options.leaderLeaseMs);
  membership.onChange((partition) => scheduler.setPartition(partition));
  await membership.start();
  // Before the queue is built, so that their replicas never enter it. Only by the leader:
  // a coordinator joining others must not cancel a job another one is still writing.
  if (leadership.isLeader) {
    const cut = await jobs.cancelIncomplete();
    if (cut.length > 0)
      logger.warn({ jobs: cut }, 'cancelled jobs whose creation was interrupted by a restart');
  }
  const discovery = new WorkDiscovery(store, scheduler, hub, logger, {
    intervalMs: options.discoveryMs,
  });
  await discovery.begin();
  await scheduler.load();
  const providers = new Providers(store, blobs, scheduler, metrics, {
    maxHostsPerAccount: options.maxHostsPerAccount ?? DEFAULT_MAX_HOSTS_PER_ACCOUNT,
    lostAfterMs: silenceMs,
  });
  const transitioner = new Transitioner(
    store,
    scheduler,
    jobs,
    logger,
    options.sweepMs ?? 500,
    { hub, startedAt, silenceMs, strandedMs: options.strandedMs ?? DEFAULT_STRANDED_MS },
    leadership,
  );
  const validators = new ValidatorRunner(blobs);
  const comparator = new Comparator(
    store,
    blobs,
    scheduler,
    validators,
    metrics,
    logger,
    options.compareMs ?? 100,
  );

  const retentionMs =
    options.retentionMs === undefined ? DEFAULT_RETENTION_MS : options.retentionMs;
  // Even with retention off, a purge a crash interrupted is finished.
  const janitor = new Janitor(store, blobs, logger, {
    retentionMs,
    archiveDir: options.archiveDir,
    intervalMs: options.janitorIntervalMs,
    blobGraceMs: options.blobGraceMs,
    leader: leadership,
  });

  const admin = await ensureAdminToken(options.dataDir, accounts);
  const { app, closeSockets } = buildServer({
    logger,
    store,
    blobs,
    hub,
    accounts,
    jobs,
    quotes,
    providers,
    hosts: new Hosts(store, hub, scheduler),
    metrics,
    version: VERSION,
    heartbeatMs,
    // A host is online while it keeps its leases: seen within the silence they survive.
    dashboard: new Dashboard(store, hub, jobs, silenceMs),
    volunteers: new Volunteers(store, accounts, providers, {
      perWindow: options.volunteerSignupsPerHour ?? DEFAULT_SIGNUP_RATE.perWindow,
      windowMs: DEFAULT_SIGNUP_RATE.windowMs,
    }),
    webDir: options.webDir ?? DEFAULT_WEB_DIR,
    coordinatorStatus: () => ({
      ...leadership.status(),
      coordinators: membership.partition.count,
      slot: membership.partition.slot,
    }),
  });
  // A deep accept queue: thousands of providers may connect in the same second.
  await app.listen({
    port: options.port ?? 7070,
    host: options.host ?? '127.0.0.1',
    backlog: 4096,
  });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 7070);
  const listenHost = options.host ?? '127.0.0.1';
  // An IPv6 host (`::`, to take IPv4 and IPv6 peers) goes in brackets in a URL.
  const url = `http://${listenHost.includes(':') ? `[${listenHost}]` : listenHost}:${port}`;
  // A restart finds leases that ran out while it was down; settle them at once.
  await transitioner.sweep();
  transitioner.start();
  // Replicas a crash left awaiting comparison are found by its first sweep.
  comparator.start();
  // Its first sweep finishes a purge a crash interrupted, then purges what is due.
  janitor.start();
  discovery.start();
  // A coordinator that takes over from a dead leader does its duties now, not at a tick.
  leadership.onGained(() => {
    void transitioner.sweep();
    void janitor.sweep();
  });
  logger.info(
    { url, dataDir: options.dataDir, holder: leadership.holder, leader: leadership.isLeader },
    'coordinator listening',
  );

  return {
    url,
    port,
    adminToken: admin.token,
    adminTokenPath: admin.path,
    adminTokenCreated: admin.created,
    async createToken(role, account) {
      return (await accounts.createToken(role, account)).token;
    },
    leadership: () => leadership.status(),
    onLeadershipChange(listener) {
      leadership.onChange(() => listener(leadership.status()));
    },
    async close() {
      transitioner.stop();
      comparator.stop();
      await janitor.stop();
      await discovery.stop();
      await membership.stop();
      // Given up before the store closes: another coordinator leads at its next try.
      await leadership.stop();
      closeSockets();
      await app.close();
      await validators.close();
      await store.close();
    },
  };
}

/** Reuses DIR/admin.token while the store still knows it; otherwise creates one (mode 600). */
async function ensureAdminToken(
  dataDir: string,
  accounts: Accounts,
): Promise<{ token: string; path: string; created: boolean }> {
  const path = join(dataDir, 'admin.token');
  const existing = await readFile(path, 'utf8').then(
    (s) => s.trim(),
    () => '',
  );
  if (existing && (await accounts.authenticate(existing))?.role === 'admin') {
    return { token: existing, path, created: false };
  }
  const { token } = await accounts.createToken('admin', 'admin', 'created at first start');
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  return { token, path, created: true };
}
