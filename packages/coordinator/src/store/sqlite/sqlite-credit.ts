/**
 * @module
 * Volunteer credit in the store (docs/incentives.md, "Volunteer credit"): grants for the
 * valid replicas of tasks settled in a transaction, written in that same transaction
 * (settlement calls `grant` from `flushCounters`), the totals and recent averages of
 * hosts, accounts and teams, teams themselves, and the leaderboard. The rules are pure
 * policy (policy/credit-claim.ts, policy/recent-average.ts); this file reads the facts
 * and writes the outcome.
 *
 * A replica is credited once: its grant row is keyed by replica id, and a task's grant is
 * fixed by its first settlement — a valid answer arriving after it (or a re-check
 * settling the task again) gets the smaller of that grant and its own claim.
 */

import type {
  CreditStanding,
  LeaderboardEntry,
  LeaderboardQuery,
  TeamView,
} from '@anygrid/protocol';
import { ConflictError, NotFoundError } from '@anygrid/protocol';
import {
  addGrant,
  claimedCredit,
  measuredSize,
  quorumGrant,
  recentPerDay,
  removeGrant,
} from '../../policy/index.js';
import type { JobMeta } from '../rows.js';
import type { ChangeCollector } from './sqlite-change-collector.js';
import { type SqliteDatabase, statementCache } from './sqlite-database.js';

/** What credit totals are kept for. */
export type CreditKind = 'host' | 'account' | 'team';

interface ValidRow {
  id: number;
  task_id: number;
  job_id: number;
  host_id: number;
  duration_ms: number | null;
  sent_at: number | null;
  reported_at: number | null;
  /** The credit granted already, or null. */
  granted: number | null;
}

interface HostFacts {
  speed: number | null;
  account_id: number;
  team_id: number | null;
}

interface Grant {
  readonly r: ValidRow;
  readonly taskId: number;
  readonly host: HostFacts;
  readonly claim: number;
  readonly credit: number;
}

interface JobRunRow {
  run_ms: number;
  run_n: number;
  run_ops: number;
  run_ops_n: number;
}

/** What a transaction tells `grant` of the tasks it settled (sqlite-change-collector.ts). */
type CreditChanges = Pick<ChangeCollector, 'creditTasks' | 'creditQuorums' | 'creditRuns'>;

/** Grants per INSERT statement. */
const CHUNK = 100;

export class SqliteCredit {
  private readonly sql;

  constructor(
    db: SqliteDatabase,
    private readonly metaOf: (jobId: number) => JobMeta,
  ) {
    this.sql = statementCache(db);
  }

  /**
   * Credits the valid replicas of the tasks settled valid (or re-judged) in this
   * transaction that have no credit yet; call inside the settling transaction, after the
   * replicas' validations are written. A task whose valid replicas were all reported in
   * this transaction is credited from what the transaction holds; the others' replicas
   * are read at once. One insert per `CHUNK` grants: a report batch settles hundreds of
   * tasks, and a statement per task cost the store about a third more per task
   * (bench/store-cost.js).
   */
  grant(changes: CreditChanges, now: number): void {
    const byTask = new Map<number, ValidRow[]>();
    const slow = new Set(changes.creditTasks);
    // The common case: a task settled by the report that made its last valid replica,
    // every member of its quorum reported and judged in this very transaction.
    for (const [taskId, quorum] of changes.creditQuorums) {
      const rows: ValidRow[] = [];
      for (const m of quorum.members) {
        const run = changes.creditRuns.get(m.id);
        if (run === undefined || m.hostId === null) break;
        rows.push({
          id: m.id,
          task_id: taskId,
          job_id: quorum.jobId,
          host_id: m.hostId,
          duration_ms: run.durationMs,
          sent_at: run.sentAt,
          reported_at: now,
          granted: null,
        });
      }
      if (rows.length === quorum.members.length) byTask.set(taskId, rows);
      else slow.add(taskId);
    }
    if (slow.size > 0) {
      const rows = this.sql(
        `SELECT r.id, r.task_id, r.job_id, r.host_id, r.duration_ms, r.sent_at, r.reported_at,
                g.credit AS granted
         FROM replicas r LEFT JOIN credit_grants g ON g.replica_id = r.id
         WHERE r.task_id IN (SELECT value FROM json_each(?)) AND r.validation = 'valid'
           AND r.state = 'reported' AND (r.excluded IS NULL OR r.excluded = 0)`,
      ).all(JSON.stringify([...slow])) as ValidRow[];
      for (const r of rows) {
        const quorum = byTask.get(r.task_id);
        if (quorum === undefined) byTask.set(r.task_id, [r]);
        else quorum.push(r);
      }
    }
    const jobSizes = new Map<number, JobRunRow | undefined>();
    const hosts = new Map<number, HostFacts>();
    const grants: Grant[] = [];
    for (const [taskId, quorum] of byTask) {
      if (quorum.every((r) => r.granted !== null)) continue;
      const claims = quorum.map((r) => this.claim(r, this.hostFacts(r.host_id, hosts), jobSizes));
      const fixed = quorum.find((r) => r.granted !== null)?.granted;
      const taskGrant = fixed === undefined || fixed === null ? quorumGrant(claims) : Number(fixed);
      quorum.forEach((r, i) => {
        if (r.granted !== null) return;
        const host = this.hostFacts(r.host_id, hosts);
        const claim = claims[i] ?? 0;
        grants.push({ r, taskId, host, claim, credit: Math.min(taskGrant, claim) });
      });
    }
    this.insertGrants(grants, now);
    const sums = new Map<string, number>();
    for (const g of grants) {
      if (g.credit <= 0) continue;
      add(sums, `host:${g.r.host_id}`, g.credit);
      add(sums, `account:${g.host.account_id}`, g.credit);
      if (g.host.team_id !== null) add(sums, `team:${g.host.team_id}`, g.credit);
    }
    for (const [key, amount] of sums) {
      const [kind, id] = key.split(':') as [CreditKind, string];
      this.addTotal(kind, Number(id), amount, now);
    }
  }

  /** Writes the grants, `CHUNK` rows a statement. */
  private insertGrants(grants: readonly Grant[], now: number): void {
    for (let at = 0; at < grants.length; at += CHUNK) {
      const chunk = grants.slice(at, at + CHUNK);
      const values = chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
      const params = chunk.flatMap((g) => [
        g.r.id,
        g.taskId,
        g.r.job_id,
        g.r.host_id,
        g.host.account_id,
        g.host.team_id,
        g.claim,
        g.credit,
        now,
      ]);
      // Not read back: store transactions run one at a time (SQLite's one writer,
      // PostgreSQL's advisory lock, pg-database.ts), so no replica read without a grant
      // in this transaction has one now, and on PostgreSQL the write stays pipelined.
      this.sql(
        `INSERT INTO credit_grants (replica_id, task_id, job_id, host_id, account_id, team_id, claim, credit, granted_at)
         VALUES ${values}`,
      ).run(...params);
    }
  }

  /** A host's speed, account and team, read once per grant. */
  private hostFacts(hostId: number, cache: Map<number, HostFacts>): HostFacts {
    let facts = cache.get(hostId);
    if (facts === undefined) {
      const row = this.sql(
        `SELECT h.speed, h.account_id, tm.team_id FROM hosts h
         LEFT JOIN team_members tm ON tm.account_id = h.account_id WHERE h.id = ?`,
      ).get(hostId) as HostFacts;
      facts = {
        speed: row.speed === null ? null : Number(row.speed),
        account_id: Number(row.account_id),
        team_id: row.team_id === null ? null : Number(row.team_id),
      };
      cache.set(hostId, facts);
    }
    return facts;
  }

  private claim(
    r: ValidRow,
    host: HostFacts,
    jobSizes: Map<number, JobRunRow | undefined>,
  ): number {
    const { policy } = this.metaOf(r.job_id);
    if (!jobSizes.has(r.job_id)) {
      jobSizes.set(
        r.job_id,
        this.sql('SELECT run_ms, run_n, run_ops, run_ops_n FROM jobs WHERE id = ?').get(r.job_id) as
          | JobRunRow
          | undefined,
      );
    }
    const run = jobSizes.get(r.job_id);
    const sent = r.sent_at === null ? null : Number(r.sent_at);
    const reported = r.reported_at === null ? null : Number(r.reported_at);
    return claimedCredit({
      reportedMs: Number(r.duration_ms ?? 0),
      elapsedMs: sent === null || reported === null ? null : reported - sent,
      wallTimeMs: policy.limits.wallTimeMs,
      speed: host.speed,
      size: {
        ...(run === undefined
          ? {}
          : measuredSize(
              Number(run.run_ms),
              Number(run.run_n),
              Number(run.run_ops),
              Number(run.run_ops_n),
            )),
        ...(policy.estimatedOps === undefined ? {} : { estimatedOps: policy.estimatedOps }),
      },
    });
  }

  /**
   * Takes back the credit of replicas a re-check found invalid after they were granted
   * it: from their hosts', accounts' and teams' totals, and what is left of it from their
   * recent averages. A grant is taken back once (`revoked_at`); a replica exonerated
   * later is not credited again.
   */
  revoke(replicaIds: Iterable<number>, now: number): void {
    const rows = this.sql(
      `SELECT replica_id, host_id, account_id, team_id, credit, granted_at FROM credit_grants
       WHERE replica_id IN (SELECT value FROM json_each(?)) AND revoked_at IS NULL AND credit > 0`,
    ).all(JSON.stringify([...replicaIds])) as Array<{
      replica_id: number;
      host_id: number;
      account_id: number;
      team_id: number | null;
      credit: number;
      granted_at: number;
    }>;
    for (const r of rows) {
      this.sql('UPDATE credit_grants SET revoked_at = ? WHERE replica_id = ?').run(
        now,
        r.replica_id,
      );
      const credit = Number(r.credit);
      const change = (key: number | null) => removeGrant(key, credit, Number(r.granted_at), now);
      this.changeTotal('host', Number(r.host_id), -credit, change);
      this.changeTotal('account', Number(r.account_id), -credit, change);
      if (r.team_id !== null) this.changeTotal('team', Number(r.team_id), -credit, change);
    }
  }

  /** Adds a grant to a total and its recent average. */
  private addTotal(kind: CreditKind, id: number, amount: number, now: number): void {
    this.sql(
      'INSERT INTO credit_totals (kind, entity_id, total, recent_key) VALUES (?, ?, 0, NULL) ON CONFLICT DO NOTHING',
    ).run(kind, id);
    this.changeTotal(kind, id, amount, (key) => addGrant(key, amount, now));
  }

  /** Moves a total by `delta` and its recent key by `rekey`, in this transaction. */
  private changeTotal(
    kind: CreditKind,
    id: number,
    delta: number,
    rekey: (key: number | null) => number | null,
  ): void {
    const row = this.sql(
      'SELECT total, recent_key FROM credit_totals WHERE kind = ? AND entity_id = ?',
    ).get(kind, id) as { total: number; recent_key: number | null } | undefined;
    if (row === undefined) return;
    const key = rekey(row.recent_key === null ? null : Number(row.recent_key));
    this.sql(
      'UPDATE credit_totals SET total = ?, recent_key = ? WHERE kind = ? AND entity_id = ?',
    ).run(Math.max(0, Number(row.total) + delta), key, kind, id);
  }

  /** A host's, account's or team's credit at `now` (zero when it has none). */
  standing(kind: CreditKind, id: number, now: number): CreditStanding {
    const row = this.sql(
      'SELECT total, recent_key FROM credit_totals WHERE kind = ? AND entity_id = ?',
    ).get(kind, id) as { total: number; recent_key: number | null } | undefined;
    return standingOf(row, now);
  }

  /** Standings of many entities of one kind, in one read; those with no credit get zero. */
  standings(kind: CreditKind, ids: readonly number[], now: number): Map<number, CreditStanding> {
    const rows = this.sql(
      `SELECT entity_id AS id, total, recent_key FROM credit_totals
       WHERE kind = ? AND entity_id IN (SELECT value FROM json_each(?))`,
    ).all(kind, JSON.stringify(ids)) as { id: number; total: number; recent_key: number | null }[];
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    return new Map(ids.map((id) => [id, standingOf(byId.get(id), now)]));
  }

  /** Creates a team and puts the account in it; ConflictError when the name is taken. */
  createTeam(accountId: number, name: string, now: number): TeamView {
    const made = this.sql(
      'INSERT INTO teams (name, created_by, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ).run(name, accountId, now);
    if (made.changes !== 1) {
      throw new ConflictError(
        `A team named "${name}" exists already; join it or pick another name.`,
        {
          team: name,
        },
      );
    }
    return this.joinTeam(accountId, name, now);
  }

  /** Moves the account into the named team (out of any other); NotFoundError when there is none. */
  joinTeam(accountId: number, name: string, now: number): TeamView {
    const team = this.sql('SELECT id, name FROM teams WHERE name = ?').get(name) as
      | { id: number; name: string }
      | undefined;
    if (team === undefined) throw new NotFoundError('team', name);
    this.sql(
      `INSERT INTO team_members (account_id, team_id, joined_at) VALUES (?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET team_id = excluded.team_id, joined_at = excluded.joined_at`,
    ).run(accountId, team.id, now);
    return this.teamView(Number(team.id), team.name, now);
  }

  private teamView(id: number, name: string, now: number): TeamView {
    const members = this.sql('SELECT COUNT(*) FROM team_members WHERE team_id = ?')
      .pluck()
      .get(id) as number;
    return { id, name, members: Number(members), credit: this.standing('team', id, now) };
  }

  /** The leaderboard's first `limit` entries. */
  leaderboard(query: LeaderboardQuery, now: number): LeaderboardEntry[] {
    const order =
      query.order === 'recent'
        ? 'c.recent_key IS NOT NULL ORDER BY c.recent_key DESC, c.entity_id'
        : 'c.total > 0 ORDER BY c.total DESC, c.entity_id';
    const from = {
      host: `SELECT c.entity_id AS id, h.name, a.name AS account, c.total, c.recent_key
             FROM credit_totals c JOIN hosts h ON h.id = c.entity_id JOIN accounts a ON a.id = h.account_id
             WHERE c.kind = 'host' AND `,
      account: `SELECT c.entity_id AS id, a.name, NULL AS account, c.total, c.recent_key
                FROM credit_totals c JOIN accounts a ON a.id = c.entity_id
                WHERE c.kind = 'account' AND `,
      team: `SELECT c.entity_id AS id, t.name, NULL AS account, c.total, c.recent_key
             FROM credit_totals c JOIN teams t ON t.id = c.entity_id
             WHERE c.kind = 'team' AND `,
    }[query.by];
    const rows = this.sql(`${from}${order} LIMIT ?`).all(query.limit) as Array<{
      id: number;
      name: string;
      account: string | null;
      total: number;
      recent_key: number | null;
    }>;
    return rows.map((r, i) => ({
      rank: i + 1,
      id: Number(r.id),
      name: r.name,
      account: r.account,
      credit: standingOf(r, now),
    }));
  }
}

function standingOf(
  row: { total: number; recent_key: number | null } | undefined,
  now: number,
): CreditStanding {
  if (row === undefined) return { totalMicro: 0, recentPerDay: 0 };
  const key = row.recent_key === null ? null : Number(row.recent_key);
  return { totalMicro: Number(row.total), recentPerDay: recentPerDay(key, now) };
}

function add(sums: Map<string, number>, key: string, amount: number): void {
  sums.set(key, (sums.get(key) ?? 0) + amount);
}
