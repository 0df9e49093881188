/**
 * @module
 * Assignment on SQLite: ready replicas the scheduler picked become a host's work, in one
 * transaction, written before they are answered. Every placement rule is enforced here,
 * where it is the truth whatever the in-memory queue believed: never two replicas of a
 * task on one host, none for a quarantined host, none beyond the host's daily quota, and,
 * for jobs whose tasks may get more than one replica, never two of a task with hosts of
 * one account or one network (policy/network-prefix.ts); for jobs that compare results,
 * the limits on untrusted hosts, replicas spread over pulls and homogeneous platforms
 * (policy/placement-limits.ts); a job's requirements (policy/host-match.ts) and its price
 * ceiling (policy/price-fit.ts: each of the host's asks at or under the ceiling's, and
 * only hosts asking nothing for a free job), from the host's row. How many replicas a host may hold comes from its work buffer at its own
 * speed and from the replica deadline (in-flight-cap.ts, deadline-fit.ts). A pick a rule
 * refuses stays ready and is handed back to the scheduler through `Placement`. For jobs
 * with native variants, the variant this host runs (policy/variant-choice.ts), and, unless
 * the job mixes variants, only the one its task's other replicas run.
 */

import type { Assignment } from '@anygrid/protocol';
import {
  adaptiveParams,
  type HostCapabilities,
  inFlightCap,
  isTrusted,
  measuredSize,
  meets,
  type NetworkRule,
  priceFits,
  quotaLeft,
  type Random,
  requiredStreak,
  ruledPrefix,
  runtimeOnHost,
  SPREAD_MS,
  spotCheckNow,
  tracksRecords,
  untrustedAdaptiveCap,
  untrustedJobCap,
  type ValidationRecord,
  type VariantRuns,
} from '../../policy/index.js';
import { asksOf, capabilitiesOf, type StandingRow, standingOf } from '../host-rows.js';
import type { JobMeta } from '../rows.js';
import type { SqlRunResult } from '../sql-database.js';
import type { HostBuffer, Placement, ReplicaPick } from '../store.js';
import { type SentPick, SqliteAssignmentAnswers } from './sqlite-assignment-answers.js';
import { type SqliteDatabase, transactionRunner } from './sqlite-database.js';
import type { SqliteHosts } from './sqlite-hosts.js';
import { SqliteValidationRecords } from './sqlite-validation-records.js';
import { type SqliteVariants, type VariantPick, variantHost } from './sqlite-variants.js';

/** How many of a job's last settled tasks a spot check looks through for a known answer. */
const SPOT_WINDOW = 512;

/** A time no replica was sent after: the spread rule does not hold a trusted host back. */
const NEVER = Number.MAX_SAFE_INTEGER;

/** What a host may take of one compared job in one pull. */
interface JobAccess {
  /** Replicas it may still take. */
  left: number;
  /** Checking replicas created after this time (ms) are not for it yet. */
  checksFrom: number;
  /** A replica whose sibling was sent after this time (ms) and still runs is not for it yet. */
  spreadFrom: number;
  /** The host's record, when the validator trusts it with an `adaptive` job's app: spot checks are for it. */
  trusted?: ValidationRecord;
}

/** A pick written to the host, its write read back once the pull is done. */
interface Sent extends SentPick {
  /** The UPDATE: one row changed when the store let the host have it. */
  write?: SqlRunResult;
  /** Written with the pull's other sole replicas of its deadline (`sendSole`): whether it was. */
  sole?: boolean;
  /** For a compared job's pick in a sole group: the guarded write's arguments, should it not be sole. */
  guarded?: readonly (number | string | null)[];
  /** The account and network rule it was held to, to tell a lasting refusal. */
  account?: number | null;
  network?: string | null;
}

export class SqliteAssignment {
  private readonly sendReplica;
  private readonly sendSole;
  private readonly stillUnsentOf;
  private readonly sendGuarded;
  private readonly sendHomogeneous;
  private readonly stillUnsent;
  private readonly keptApart;
  private readonly jobLoad;
  private readonly jobTotal;
  private readonly trustedAround;
  private readonly records;
  private readonly inTx;
  private readonly spotTask;
  private readonly insertSpot;
  private readonly unsend;
  /** The assignments a pull's writes are answered with. */
  private readonly answers;
  private readonly jobRuntime;

  constructor(
    db: SqliteDatabase,
    private readonly metaOf: (jobId: number) => JobMeta,
    private readonly hosts: SqliteHosts,
    private readonly variants: SqliteVariants,
    private readonly networkRule: NetworkRule = 'public',
    private readonly random: Random = Math.random,
  ) {
    this.inTx = transactionRunner(db);
    // A task of the job settled by a quorum with a trusted member (its known answer),
    // which this host never held: the last settled first, among the job's last
    // SPOT_WINDOW settled tasks only, so a pull's cost does not grow with the job (an
    // order by task index walked every unsettled task first: 0.4 ms a pull at 100 k).
    this.spotTask = db
      .prepare(
        `SELECT t.id FROM (SELECT id, state, canonical_replica_id, settled_seq FROM tasks
                           WHERE job_id = ? AND settled_seq IS NOT NULL
                           ORDER BY settled_seq DESC LIMIT ${SPOT_WINDOW}) t
           JOIN replicas c ON c.id = t.canonical_replica_id
         WHERE t.state = 'valid' AND c.confirmation = 'trusted'
           AND NOT EXISTS (SELECT 1 FROM replicas o WHERE o.task_id = t.id AND o.host_id = ?)
         ORDER BY t.settled_seq DESC LIMIT 1`,
      )
      .pluck();
    this.insertSpot = db.prepare(
      `INSERT INTO replicas (task_id, job_id, priority, state, host_id, created_at, sent_at, deadline_at, spot)
       VALUES (?, ?, ?, 'in_progress', ?, ?, ?, ?, 1)`,
    );
    this.unsend = db.prepare(
      `UPDATE replicas SET state = 'unsent', host_id = NULL, sent_at = NULL, deadline_at = NULL WHERE id = ?`,
    );
    this.jobRuntime = db.prepare('SELECT run_ms, run_n, run_ops, run_ops_n FROM jobs WHERE id = ?');
    // Never two replicas of one task on one host (BOINC's rule, so a host cannot vote
    // twice): enforced here, where it is the truth, whatever the queue believed. Work a
    // host handed back does not count: it may take that task again.
    // A pull's fresh sole replicas (redundancy 1, nobody else's) with one deadline, in one
    // statement: one write per pull rather than per replica, which on PostgreSQL is each a
    // statement the server plans and runs. Those it did not change (a reissue, or sent
    // meanwhile) go through `sendReplica`. The state is tested through COALESCE so that
    // PostgreSQL looks the ids up in the key: with a plain `state = 'unsent'` its plan
    // also scanned the index of every ready replica (0.1–0.6 s a pull at 40 000 rows).
    this.sendSole = db
      .prepare(
        `UPDATE replicas SET state = 'in_progress', host_id = ?, sent_at = ?, deadline_at = ?
         WHERE id IN (SELECT value FROM json_each(?)) AND COALESCE(state, '') = 'unsent' AND sole = 1
         RETURNING id`,
      )
      .pluck();
    this.stillUnsentOf = db
      .prepare(
        `SELECT id FROM replicas WHERE id IN (SELECT value FROM json_each(?)) AND COALESCE(state, '') = 'unsent'`,
      )
      .pluck();
    this.sendReplica = db.prepare(
      `UPDATE replicas SET state = 'in_progress', host_id = ?, sent_at = ?, deadline_at = ?
       WHERE id = ? AND state = 'unsent'
         AND (sole = 1
              OR NOT EXISTS (SELECT 1 FROM replicas o
                             WHERE o.task_id = replicas.task_id AND o.host_id = ? AND o.state <> 'abandoned'))`,
    );
    // The same, for jobs whose tasks may get more than one replica: nor to a host when
    // another replica of the task is with a host of its account or of its network (NULL:
    // the rule does not apply), or one owner could outvote the truth; every replica sent
    // counts except one handed back, as above (a replica that timed out may still report).
    // And, to a host not trusted yet (placement-limits.ts), not while another replica of
    // the task was sent after the given time and still runs (two newcomers pulling
    // together never get both). A replica that checks others (not its task's sole first
    // one) waits for a trusted host until it was created before the given time
    // (adaptive-replication.ts, mayTake).
    this.sendGuarded = db.prepare(
      `UPDATE replicas SET state = 'in_progress', host_id = ?, sent_at = ?, deadline_at = ?
       WHERE id = ? AND state = 'unsent'
         AND (sole = 1
              OR (created_at <= ?
                  AND NOT EXISTS (SELECT 1 FROM replicas o JOIN hosts h ON h.id = o.host_id
                                  WHERE o.task_id = replicas.task_id AND o.state <> 'abandoned'
                                    AND (o.host_id = ? OR (o.state = 'in_progress' AND o.sent_at > ?)
                                         OR h.account_id = ? OR h.net_prefix = ?))))`,
    );
    // The same, for a homogeneous job: nor to a host whose platform differs from that of a
    // host holding the task.
    this.sendHomogeneous = db.prepare(
      `UPDATE replicas SET state = 'in_progress', host_id = ?, sent_at = ?, deadline_at = ?
       WHERE id = ? AND state = 'unsent'
         AND (sole = 1
              OR (created_at <= ?
                  AND NOT EXISTS (SELECT 1 FROM replicas o JOIN hosts h ON h.id = o.host_id
                                  WHERE o.task_id = replicas.task_id AND o.state <> 'abandoned'
                                    AND (o.host_id = ? OR (o.state = 'in_progress' AND o.sent_at > ?)
                                         OR h.account_id = ? OR h.net_prefix = ? OR h.platform <> ?))))`,
    );
    this.stillUnsent = db.prepare(`SELECT 1 FROM replicas WHERE id = ? AND state = 'unsent'`);
    // Of a refused pick, whether a rule that does not wear off refused it: its task is with
    // this host, its account, its network or (homogeneous) another platform.
    this.keptApart = db
      .prepare(
        `SELECT EXISTS (SELECT 1 FROM replicas o JOIN hosts h ON h.id = o.host_id
           WHERE o.task_id = ? AND o.state <> 'abandoned'
             AND (o.host_id = ? OR h.account_id = ? OR h.net_prefix = ? OR h.platform <> ?))`,
      )
      .pluck();
    this.jobLoad = db
      .prepare(
        `SELECT COUNT(*) FROM replicas WHERE state = 'in_progress' AND host_id = ? AND job_id = ?`,
      )
      .pluck();
    this.jobTotal = db.prepare('SELECT tasks_total FROM jobs WHERE id = ?').pluck();
    // Whether a host other than this one, seen lately and not quarantined, has a streak
    // long enough, confirmed by enough accounts, to be trusted with the app: only then is
    // a check worth waiting for (a colluding pair's long streaks would hold every check
    // back for nothing).
    this.trustedAround = db
      .prepare(
        `SELECT EXISTS (SELECT 1 FROM validation_records v JOIN hosts h ON h.id = v.host_id
           WHERE v.app = ? AND v.streak >= ? AND v.partner_count >= ? AND v.host_id <> ?
             AND h.quarantined_at IS NULL AND h.last_seen >= ?)`,
      )
      .pluck();
    this.records = new SqliteValidationRecords(db);
    this.answers = new SqliteAssignmentAnswers(db, variants);
  }

  assign(
    hostId: number,
    picks: readonly ReplicaPick[],
    now: number,
    placement?: Placement,
    buffer: HostBuffer = {},
  ): Assignment[] {
    if (picks.length === 0) return [];
    return this.inTx(() => {
      const standing = this.hosts.standing(hostId);
      if (standing === undefined) return [];
      // The one quarantine check: a quarantined host gets nothing, whatever the scheduler knew.
      if (standing.quarantined_at !== null) {
        if (placement) {
          placement.quarantined = true;
          placement.deferred.push(...picks);
        }
        return [];
      }
      // The daily quota, again inside the transaction: the scheduler read it before.
      const h = standingOf(standing, this.hosts.quota);
      const allowed = quotaLeft(h.quota, h.quotaUsed, h.quotaDay, now);
      const prefix = ruledPrefix(standing.address, this.networkRule);
      // The picks written to this host. A job that compares nothing has its writes checked
      // once the pull is done, so that they travel together (PostgreSQL pipelines them);
      // counted as taken meanwhile: a refusal, rare there, only leaves the host with less.
      const sends: Sent[] = [];
      // What this host may take of each compared job, worked out once per job and pull.
      const access = new Map<number, JobAccess>();
      // Replicas of each job this host may hold in all (policy/in-flight-cap.ts).
      const caps = new Map<number, number>();
      // Whether the host meets each job's requirements; its capabilities read once, if asked.
      const fits = new Map<number, boolean>();
      let capabilities: HostCapabilities | undefined;
      // Measured run times of each job with variants, read once per job and pull.
      let runs: Map<number, Map<string, VariantRuns>> | undefined;
      // Fresh replicas of jobs that compare nothing, by deadline: written together below.
      const sole = new Map<number, Sent[]>();
      for (const pick of picks) {
        if (sends.length >= allowed) {
          placement?.deferred.push(pick);
          continue;
        }
        let fit = fits.get(pick.jobId);
        if (fit === undefined) {
          const { requirements, policy } = this.metaOf(pick.jobId);
          capabilities ??= requirements && capabilitiesOf(standing);
          fit =
            (requirements === undefined || meets(capabilities as HostCapabilities, requirements)) &&
            priceFits(asksOf(standing), policy.pricing);
          fits.set(pick.jobId, fit);
        }
        if (!fit) {
          if (placement) {
            placement.deferred.push(pick);
            placement.unfit = true;
          }
          continue;
        }
        let cap = caps.get(pick.jobId);
        if (cap === undefined) {
          cap = this.inFlightCap(pick.jobId, standing, buffer);
          caps.set(pick.jobId, cap);
        }
        if (standing.in_flight + sends.length >= cap) {
          if (placement) {
            placement.deferred.push(pick);
            placement.capped = true;
          }
          continue;
        }
        const meta = this.metaOf(pick.jobId);
        const { policy } = meta;
        const deadline = now + policy.deadlineMs;
        // Tasks that may get more than one replica to compare: one owner, one network,
        // must not supply two of them. A job without comparison skips the rule, so a
        // one-account pool can retry its tasks.
        const apart = policy.quorum > 1 || tracksRecords(policy);
        let variant: VariantPick | undefined;
        if (meta.variants !== undefined) {
          runs ??= new Map();
          let measured = runs.get(pick.jobId);
          if (measured === undefined) {
            measured = this.variants.measured(pick.jobId);
            runs.set(pick.jobId, measured);
          }
          // Compared outputs come from one variant unless the job allows mixing them.
          const pin = apart && !policy.mixedVariants;
          const host = variantHost(standing);
          const chosen = this.variants.pick(meta.variants, host, measured, pick.taskId, pin);
          if (chosen === null) {
            // Its task runs a variant this host may not: a rule that does not wear off.
            placement?.deferred.push(pick);
            placement?.apart?.push(pick.replicaId);
            continue;
          }
          variant = chosen;
        }
        if (!apart && !policy.homogeneous) {
          if (pick.reissue === true) {
            const write = this.sendReplica.run(hostId, now, deadline, pick.replicaId, hostId);
            sends.push({ pick, meta, deadline, variant, write });
          } else {
            const sent: Sent = { pick, meta, deadline, variant };
            sends.push(sent);
            const group = sole.get(deadline);
            if (group) group.push(sent);
            else sole.set(deadline, [sent]);
          }
          continue;
        }
        let job = access.get(pick.jobId);
        if (!job) {
          job = this.access(hostId, pick.jobId, meta, now);
          access.set(pick.jobId, job);
        }
        // An untrusted host at its cap for the job: the pick stays unsent and no lasting
        // rule refused it, so it goes back as it is, without the queries `refused` makes
        // (a fresh pool's first pulls hit the cap tens of thousands of times).
        if (job.left <= 0) {
          placement?.deferred.push(pick);
          continue;
        }
        const account = apart ? standing.account_id : null;
        const network = apart ? prefix : null;
        const guarded = [
          hostId,
          now,
          deadline,
          pick.replicaId,
          job.checksFrom,
          hostId,
          job.spreadFrom,
          account,
          network,
        ];
        // A fresh first replica of a job without redundancy (`adaptive`, `spot-check`) is
        // its task's sole one: no rule applies to it (the guard's `sole = 1` branch), so it
        // is written with the pull's other sole replicas in one UPDATE; one that turns out
        // not to be sole is tried guarded there.
        if (!policy.homogeneous && pick.reissue !== true && policy.redundancy === 1) {
          job.left--;
          const sent: Sent = { pick, meta, deadline, variant, guarded, account, network };
          sends.push(sent);
          const group = sole.get(deadline);
          if (group) group.push(sent);
          else sole.set(deadline, [sent]);
          continue;
        }
        const write = policy.homogeneous
          ? this.sendHomogeneous.run(...guarded, standing.platform)
          : this.sendGuarded.run(...guarded);
        // Read at once: a compared job's picks often hold two replicas of one task, and the
        // one refused must not count against what the host may take.
        if (write.changes !== 1) {
          const platform = policy.homogeneous ? standing.platform : null;
          this.refused(pick, hostId, placement, account, network, platform);
          continue;
        }
        job.left--;
        sends.push({ pick, meta, deadline, variant, write });
      }
      for (const [deadline, group] of sole) this.sendSoles(hostId, now, deadline, group);
      const out = this.answered(hostId, sends, placement);
      for (const [jobId, job] of access) {
        if (
          job.trusted &&
          spotCheckNow(job.trusted, adaptiveParams(this.metaOf(jobId).policy), this.random)
        ) {
          this.spotCheck(hostId, jobId, now, out, placement);
        }
      }
      this.hosts.chargeSent(hostId, out.length, now);
      return out;
    });
  }

  /**
   * How many replicas of the job the host may hold: its runtime is the task's size over
   * the host's speed, else the job's mean so far (deadline-fit.ts), and the deadline
   * bounds what it may queue.
   */
  private inFlightCap(jobId: number, standing: StandingRow, buffer: HostBuffer): number {
    const run = this.jobRuntime.get(jobId) as
      | { run_ms: number; run_n: number; run_ops: number; run_ops_n: number }
      | undefined;
    const { policy } = this.metaOf(jobId);
    const size = {
      ...(run === undefined ? {} : measuredSize(run.run_ms, run.run_n, run.run_ops, run.run_ops_n)),
      ...(policy.estimatedOps === undefined ? {} : { estimatedOps: policy.estimatedOps }),
    };
    const speed = standing.speed === null ? null : Number(standing.speed);
    const estimateMs = runtimeOnHost(size, speed);
    return inFlightCap({
      slots: standing.slots,
      ...buffer,
      ...(estimateMs === undefined ? {} : { estimateMs, deadlineMs: policy.deadlineMs }),
    });
  }

  /**
   * The picks the store let the host have, as assignments (their specs read at once);
   * those it refused go back to the scheduler.
   */
  private answered(hostId: number, sends: readonly Sent[], placement?: Placement): Assignment[] {
    const sent: Sent[] = [];
    for (const s of sends) {
      // Only a job that compares nothing has its write read here: no lasting rule applies.
      if (s.write ? s.write.changes === 1 : s.sole === true) sent.push(s);
      // One `sendSoles` found gone already (sent through another coordinator, or its task
      // settled) has nothing to go back to the queue: asking again, one round trip each
      // under the store's lock, cost 20 000 reads a 20 000-task job on two coordinators.
      else if (s.sole !== false) {
        this.refused(s.pick, hostId, placement, s.account ?? null, s.network ?? null, null);
      }
    }
    return this.answers.build(sent);
  }

  /** Writes a pull's fresh replicas of one deadline to the host: sole ones at once, others one by one (guarded when their job compares). */
  private sendSoles(hostId: number, now: number, deadline: number, group: Sent[]): void {
    const ids = JSON.stringify(group.map((s) => s.pick.replicaId));
    const written = new Set(this.sendSole.all(hostId, now, deadline, ids) as number[]);
    if (written.size === group.length) {
      for (const s of group) s.sole = true;
      return;
    }
    // The rest were sent meanwhile (another coordinator's queue held them too: the usual
    // case) or are not sole: one read tells which still wait, and only those are tried alone.
    const rest = group.filter((s) => !written.has(s.pick.replicaId));
    const waiting = new Set(
      this.stillUnsentOf.all(JSON.stringify(rest.map((s) => s.pick.replicaId))) as number[],
    );
    for (const s of group) {
      if (written.has(s.pick.replicaId)) s.sole = true;
      else if (waiting.has(s.pick.replicaId)) {
        s.write = s.guarded
          ? this.sendGuarded.run(...s.guarded)
          : this.sendReplica.run(hostId, now, deadline, s.pick.replicaId, hostId);
      } else s.sole = false;
    }
  }

  /**
   * Hands a refused pick that stays ready back to the scheduler, marked `apart` when a
   * rule that does not wear off refused it (see `Placement`).
   */
  private refused(
    pick: ReplicaPick,
    hostId: number,
    placement: Placement | undefined,
    account: number | null,
    network: string | null,
    platform: string | null,
  ): void {
    if (!placement || this.stillUnsent.get(pick.replicaId) === undefined) return;
    placement.deferred.push(pick);
    if (this.keptApart.get(pick.taskId, hostId, account, network, platform) === 1) {
      placement.apart?.push(pick.replicaId);
    }
  }

  /**
   * Sends the host one spot check of the job (a task whose answer a trusted quorum gave),
   * in place of its last assignment, which goes back to the queue: the host gets no more
   * than it asked for, and cannot tell the check from its other work.
   */
  private spotCheck(
    hostId: number,
    jobId: number,
    now: number,
    out: Assignment[],
    placement: Placement | undefined,
  ): void {
    const taskId = this.spotTask.get(jobId, hostId) as number | undefined;
    const last = out[out.length - 1];
    if (taskId === undefined || !placement || !last) return;
    const meta = this.metaOf(jobId);
    const deadline = now + meta.policy.deadlineMs;
    const { priority } = meta.policy;
    const info = this.insertSpot.run(taskId, jobId, priority, hostId, now, now, deadline);
    this.unsend.run(last.replicaId);
    placement.deferred.push({ replicaId: last.replicaId, taskId: last.taskId, jobId: last.jobId });
    const [check] = this.answers.build([
      { pick: { replicaId: Number(info.lastInsertRowid), taskId, jobId }, meta, deadline },
    ]);
    if (check) out[out.length - 1] = check;
  }

  /**
   * What the host may take of a compared job now. Once the validator trusts it with the
   * job's app: anything. Before: at most `untrustedJobCap` replicas in flight (of an
   * `adaptive` job, `untrustedAdaptiveCap`: no more than its warm-up), no replica
   * whose sibling was sent less than `SPREAD_MS` ago and still runs, and, in an
   * `adaptive` job, a replica that checks others only once it has waited `trustedWaitMs`
   * for a trusted host (none waits when no trusted host is about).
   */
  private access(hostId: number, jobId: number, meta: JobMeta, now: number): JobAccess {
    const params = adaptiveParams(meta.policy);
    const record = this.records.stored(hostId, meta.moduleHash, now);
    if (!tracksRecords(meta.policy) || isTrusted(record, params)) {
      const adaptive = meta.policy.validation.mode === 'adaptive';
      return {
        left: Number.POSITIVE_INFINITY,
        checksFrom: now,
        spreadFrom: NEVER,
        ...(adaptive ? { trusted: record } : {}),
      };
    }
    const held = this.jobLoad.get(hostId, jobId) as number;
    const total = this.jobTotal.get(jobId) as number;
    const adaptive = meta.policy.validation.mode === 'adaptive';
    const cap = adaptive
      ? untrustedAdaptiveCap(total, requiredStreak(record, params))
      : untrustedJobCap(total);
    const left = cap - held;
    const wait =
      adaptive &&
      this.trustedAround.get(
        meta.moduleHash,
        params.warmup,
        params.partners,
        hostId,
        now - params.trustedWaitMs,
      ) === 1;
    return {
      left,
      checksFrom: wait ? now - params.trustedWaitMs : now,
      spreadFrom: now - SPREAD_MS,
    };
  }
}
