/**
 * @module
 * The stranded-task sweep on SQLite: tasks with a failed or refused replica (listed in
 * `failing_tasks` as it happens), a replica waiting to be sent and none running are read with the hosts that held them and the
 * hosts connected now (those that meet the job's requirements, when it names any);
 * `isStranded` (policy/stranded-task.ts) decides, and a stranded
 * task settles `failed` with the reason `no_eligible_host`, in one transaction.
 */

import {
  type ConnectedHost,
  type HostCapabilities,
  isStranded,
  meets,
  type NetworkRule,
  ruledPrefix,
  strandedMessage,
  type TaskHolder,
  tracksRecords,
} from '../../policy/index.js';
import {
  CAPABILITY_COLUMNS,
  type CapabilityRow,
  capabilitiesOf,
  type StandingRow,
} from '../host-rows.js';
import type { JobMeta } from '../rows.js';
import type { StrandedScope } from '../store.js';
import type { ChangeCollector } from './sqlite-change-collector.js';
import type { SqliteDatabase } from './sqlite-database.js';
import type { SqliteSettlement } from './sqlite-settlement.js';

interface ReplicaHostRow {
  state: string;
  host_id: number | null;
  created_at: number;
  account_id: number | null;
  net_prefix: string | null;
  platform: string | null;
}

/** A connected host as the sweep reads it: who it is, and what it declared (requirements). */
type HostRow = { id: number } & CapabilityRow &
  Pick<StandingRow, 'account_id' | 'address' | 'quarantined_at'>;

/** A connected host with what it declared, for the jobs that name requirements. */
type SweptHost = ConnectedHost & { readonly caps: HostCapabilities };

export class SqliteStranded {
  private readonly candidates;
  private readonly replicas;
  private readonly seenHosts;
  private readonly hostById;
  private readonly newestHost;
  private readonly setReason;
  private readonly unwatch;

  constructor(
    db: SqliteDatabase,
    private readonly settlement: SqliteSettlement,
    private readonly metaOf: (jobId: number) => JobMeta,
    private readonly networkRule: NetworkRule,
  ) {
    this.candidates = db.prepare(
      `SELECT f.task_id, f.job_id, t.state FROM failing_tasks f JOIN tasks t ON t.id = f.task_id
       ORDER BY f.task_id LIMIT ?`,
    );
    this.unwatch = db.prepare('DELETE FROM failing_tasks WHERE task_id = ?');
    this.replicas = db.prepare(
      `SELECT r.state, r.host_id, r.created_at, h.account_id, h.net_prefix, h.platform
       FROM replicas r LEFT JOIN hosts h ON h.id = r.host_id WHERE r.task_id = ?`,
    );
    const columns = `id, account_id, address, quarantined_at, ${CAPABILITY_COLUMNS}`;
    this.seenHosts = db.prepare(`SELECT ${columns} FROM hosts WHERE last_seen >= ?`);
    this.hostById = db.prepare(`SELECT ${columns} FROM hosts WHERE id = ?`);
    this.newestHost = db.prepare('SELECT MAX(created_at) FROM hosts').pluck();
    this.setReason = db.prepare('UPDATE tasks SET fail_reason = ? WHERE id = ?');
  }

  /** Fails the stranded tasks among the candidates; call inside a transaction, then `flushCounters`. */
  sweep(scope: StrandedScope, now: number, changes: ChangeCollector): number {
    const rows = this.candidates.all(scope.limit) as {
      task_id: number;
      job_id: number;
      state: string;
    }[];
    // Settled since: no longer watched (settlement, the hot path, leaves them here).
    const candidates = rows.filter((r) => {
      if (r.state !== 'active') this.unwatch.run(r.task_id);
      return r.state === 'active';
    });
    if (candidates.length === 0) return 0;
    const connected = this.connectedHosts(scope);
    const joined = (this.newestHost.get() as number | null) ?? 0;
    let failed = 0;
    for (const { task_id: taskId, job_id: jobId } of candidates) {
      const rows = this.replicas.all(taskId) as ReplicaHostRow[];
      if (rows.some((r) => r.state === 'in_progress')) continue;
      const waiting = rows.filter((r) => r.state === 'unsent');
      if (waiting.length === 0) continue;
      const { policy, requirements } = this.metaOf(jobId);
      const holders: TaskHolder[] = rows
        .filter((r) => r.host_id !== null && r.state !== 'abandoned')
        .map((r) => ({
          hostId: r.host_id as number,
          account: r.account_id as number,
          network: r.net_prefix,
          platform: r.platform as string,
        }));
      const waitingSince = Math.max(
        Math.min(...waiting.map((r) => r.created_at)),
        joined,
        scope.startedAt,
      );
      const facts = {
        apart: policy.quorum > 1 || tracksRecords(policy),
        homogeneous: policy.homogeneous,
        holders,
        // A host that fails the job's requirements could never take the task.
        connected: requirements ? connected.filter((h) => meets(h.caps, requirements)) : connected,
        waitingSince,
      };
      if (!isStranded(facts, now, scope.boundMs)) continue;
      this.settlement.settle(taskId, jobId, 'failed', null, changes);
      this.unwatch.run(taskId);
      const reason = { code: 'no_eligible_host', message: strandedMessage(scope.boundMs) };
      this.setReason.run(JSON.stringify(reason), taskId);
      this.settlement.event(
        now,
        'task_stranded',
        { job: jobId, task: taskId },
        JSON.stringify(reason),
      );
      failed++;
    }
    return failed;
  }

  private connectedHosts(scope: StrandedScope): SweptHost[] {
    const rows = new Map<number, HostRow>();
    for (const r of this.seenHosts.all(scope.seenSince) as HostRow[]) rows.set(r.id, r);
    for (const id of scope.connected) {
      if (rows.has(id)) continue;
      const r = this.hostById.get(id) as HostRow | undefined;
      if (r) rows.set(id, r);
    }
    return [...rows.values()].map((r) => ({
      id: r.id,
      account: r.account_id,
      network: ruledPrefix(r.address, this.networkRule),
      platform: r.platform,
      quarantined: r.quarantined_at !== null,
      caps: capabilitiesOf(r),
    }));
  }
}
