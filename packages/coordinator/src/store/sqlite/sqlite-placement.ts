/**
 * @module
 * What placement and diagnostics read from SQLite: each running job's requirements,
 * deadline and task size (the scheduler's soft state at start), one host's declared
 * capabilities (re-read now and then by the scheduler), and the facts of "why is my job
 * not running" for the hosts connected now. None of it is on the assign/report path.
 */

import type { JobPolicy, JobPricing, JobRequirements, ModuleSignature } from '@anygrid/protocol';
import {
  type DailyQuotaParams,
  type DiagnosedHost,
  type HostCapabilities,
  hostsKeptApart,
  type JobPlacement,
  measuredSize,
  type NetworkRule,
  quotaLeft,
  type ReplicaShape,
  ruledPrefix,
  shapeOf,
} from '../../policy/index.js';
import { capabilitiesOf, STANDING_COLUMNS, type StandingRow, standingOf } from '../host-rows.js';
import { type JobRow, storedPolicy } from '../rows.js';
import type { DiagnosticsFacts, JobPlacementFacts, QuoteFacts } from '../store.js';

/** Latest jobs of a module whose run times size a quote. */
const QUOTE_JOBS = 20;

import type { SqliteDatabase } from './sqlite-database.js';

interface PlacementRow {
  id: number;
  policy: string;
  requirements: string | null;
  run_ms: number;
  run_n: number;
  run_ops: number;
  run_ops_n: number;
}

export class SqlitePlacement {
  private readonly running;
  private readonly standing;
  private readonly connected;
  private readonly tasks;
  private readonly higher;
  private readonly refusers;
  private readonly moduleRuns;
  private readonly ahead;

  constructor(
    db: SqliteDatabase,
    private readonly quota: DailyQuotaParams,
    private readonly networkRule: NetworkRule = 'public',
  ) {
    this.running = db.prepare(
      `SELECT id, policy, requirements, run_ms, run_n, run_ops, run_ops_n FROM jobs WHERE state = 'running'`,
    );
    this.standing = db.prepare(`SELECT ${STANDING_COLUMNS} FROM hosts WHERE id = ?`);
    this.connected = db.prepare(
      `SELECT id, ${STANDING_COLUMNS} FROM hosts
       WHERE id IN (SELECT value FROM json_each(?)) OR last_seen >= ?`,
    );
    // Active tasks with a replica waiting to be sent, with one running, waiting for parents.
    this.tasks = db.prepare(
      `SELECT COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM replicas r WHERE r.task_id = t.id AND r.state = 'unsent') THEN 1 ELSE 0 END), 0) AS queued,
              COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM replicas r WHERE r.task_id = t.id AND r.state = 'in_progress') THEN 1 ELSE 0 END), 0) AS running,
              COALESCE(SUM(CASE WHEN t.waiting > 0 THEN 1 ELSE 0 END), 0) AS waiting
       FROM tasks t WHERE t.job_id = ? AND t.state = 'active'`,
    );
    this.higher = db.prepare(
      `SELECT host_id, COUNT(*) AS n FROM replicas
       WHERE host_id IN (SELECT value FROM json_each(?)) AND state = 'in_progress' AND priority > ?
       GROUP BY host_id`,
    );
    this.refusers = db
      .prepare(`SELECT DISTINCT host_id FROM events WHERE job_id = ? AND kind = 'replica_refused'`)
      .pluck();
    // A module's run times over its latest jobs: what a quote sizes a new job of it from.
    this.moduleRuns = db.prepare(
      `SELECT COALESCE(SUM(run_ms), 0) AS ms, COALESCE(SUM(run_n), 0) AS n,
              COALESCE(SUM(run_ops), 0) AS ops, COALESCE(SUM(run_ops_n), 0) AS ops_n
       FROM (SELECT run_ms, run_n, run_ops, run_ops_n FROM jobs WHERE module_hash = ?
             ORDER BY id DESC LIMIT ${QUOTE_JOBS}) recent`,
    );
    // Replicas waiting to be sent that a job of this priority would queue behind.
    this.ahead = db
      .prepare(`SELECT COUNT(*) FROM replicas WHERE state = 'unsent' AND priority >= ?`)
      .pluck();
  }

  /** What a quote reads: the connected hosts, a module's measured run times, the queue ahead. */
  quoteFacts(
    moduleHash: string | undefined,
    hostIds: readonly number[],
    priority: number,
    now: number,
    seenSince: number,
  ): QuoteFacts {
    const hosts = this.connectedHosts(hostIds, seenSince).map((h) => {
      const s = standingOf(h, this.quota);
      return {
        caps: capabilitiesOf(h),
        slots: Number(h.slots),
        usable: !s.quarantined && quotaLeft(s.quota, s.quotaUsed, s.quotaDay, now) > 0,
      };
    });
    const r =
      moduleHash === undefined
        ? undefined
        : (this.moduleRuns.get(moduleHash) as {
            ms: number;
            n: number;
            ops: number;
            ops_n: number;
          });
    return {
      hosts,
      ...(r === undefined
        ? {}
        : { size: measuredSize(Number(r.ms), Number(r.n), Number(r.ops), Number(r.ops_n)) }),
      queuedAhead: Number(this.ahead.get(priority)),
    };
  }

  /** Every running job's placement facts, by id. */
  runningJobs(): Map<number, JobPlacementFacts> {
    const out = new Map<number, JobPlacementFacts>();
    for (const row of this.running.all() as PlacementRow[]) {
      const policy = storedPolicy(row.policy);
      out.set(row.id, {
        ...(row.requirements
          ? { requirements: JSON.parse(row.requirements) as JobRequirements }
          : {}),
        deadlineMs: policy.deadlineMs,
        ...(policy.estimatedOps === undefined ? {} : { estimatedOps: policy.estimatedOps }),
        ...pricedOf(policy, row.requirements),
        runs: { ms: row.run_ms, n: row.run_n, ops: row.run_ops, opsN: row.run_ops_n },
      });
    }
    return out;
  }

  capabilities(hostId: number): HostCapabilities | null {
    const row = this.standing.get(hostId) as StandingRow | undefined;
    return row ? capabilitiesOf(row) : null;
  }

  /**
   * The hosts named, and those seen at or after `seenSince`: hosts of other coordinators
   * sharing the store count by their last word to it.
   */
  private connectedHosts(hostIds: readonly number[], seenSince: number) {
    const ids = JSON.stringify([...new Set(hostIds)]);
    return this.connected.all(ids, seenSince) as (StandingRow & { id: number })[];
  }

  /** The facts `diagnose` needs about a job (its row, read by the caller) and the connected hosts. */
  diagnosticsFacts(
    row: JobRow & PlacementRow,
    hostIds: readonly number[],
    now: number,
    seenSince: number,
    countTasks = true,
  ): DiagnosticsFacts {
    const policy = storedPolicy(row.policy);
    const connected = this.connectedHosts(hostIds, seenSince);
    const ids = JSON.stringify(connected.map((h) => h.id));
    // Counting reads every task of the job: a large job's submission skips it.
    const t = countTasks
      ? (this.tasks.get(row.id) as { queued: number; running: number; waiting: number })
      : { queued: 0, running: 0, waiting: 0 };
    const settled =
      row.tasks_valid + row.tasks_failed + row.tasks_no_consensus + row.tasks_cancelled;
    const busy = new Map<number, number>();
    for (const r of this.higher.all(ids, policy.priority) as { host_id: number; n: number }[]) {
      busy.set(r.host_id, r.n);
    }
    const refused = new Set(this.refusers.all(row.id) as number[]);
    const hosts: DiagnosedHost[] = connected.map((h) => {
      const s = standingOf(h, this.quota);
      return {
        caps: capabilitiesOf(h),
        slots: Number(h.slots),
        quarantined: s.quarantined,
        quotaLeft: quotaLeft(s.quota, s.quotaUsed, s.quotaDay, now),
        higherPriority: busy.get(h.id) ?? 0,
        refusedModule: refused.has(h.id),
        account: Number(h.account_id),
        network: ruledPrefix(h.address, this.networkRule),
      };
    });
    const signature = row.signature ? (JSON.parse(row.signature) as ModuleSignature) : undefined;
    return {
      jobId: row.id,
      state: row.state,
      placement: placementOf(row),
      // A compared job keeps a task's replicas on hosts of different accounts and networks
      // (the rule sqlite-stranded.ts applies too).
      keptApart: hostsKeptApart(policy),
      ...(signature ? { publicKey: signature.publicKey } : {}),
      tasks: {
        total: row.tasks_total,
        settled,
        queued: t.queued,
        running: t.running,
        waitingForParents: t.waiting,
      },
      hosts,
    };
  }
}

/** A paid job's pricing and replica shape, for placement; nothing for a free job. */
export function pricedOf(
  policy: JobPolicy,
  requirements: string | null,
): { pricing?: JobPricing; shape?: ReplicaShape } {
  if (policy.pricing === undefined) return {};
  const req = requirements ? (JSON.parse(requirements) as JobRequirements) : undefined;
  return {
    pricing: policy.pricing,
    shape: shapeOf(policy.limits.memoryBytes, req?.accelerators),
  };
}

function placementOf(row: PlacementRow): JobPlacement {
  const policy = storedPolicy(row.policy);
  return {
    ...(row.requirements ? { requirements: JSON.parse(row.requirements) as JobRequirements } : {}),
    ...pricedOf(policy, row.requirements),
    deadlineMs: policy.deadlineMs,
    size: {
      ...measuredSize(row.run_ms, row.run_n, row.run_ops, row.run_ops_n),
      ...(policy.estimatedOps === undefined ? {} : { estimatedOps: policy.estimatedOps }),
    },
  };
}
