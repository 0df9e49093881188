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
 * the job mixes variants, only the one its task's other replicas run. What a host may
 * take of a compared job (sqlite-job-access.ts), its in-flight cap per job
 * (sqlite-in-flight-cap.ts), the batch write of sole replicas (sqlite-sole-sends.ts) and
 * spot checks (sqlite-spot-check.ts) are modules of their own that this loop asks.
 */

import type { Assignment } from '@anygrid/protocol';
import {
  adaptiveParams,
  type HostCapabilities,
  meets,
  type NetworkRule,
  priceFits,
  quotaLeft,
  type Random,
  ruledPrefix,
  spotCheckNow,
  tracksRecords,
  type VariantRuns,
} from '../../policy/index.js';
import { asksOf, capabilitiesOf, standingOf } from '../host-rows.js';
import type { JobMeta } from '../rows.js';
import type { HostBuffer, Placement, ReplicaPick } from '../store.js';
import { SqliteAssignmentAnswers } from './sqlite-assignment-answers.js';
import { type SqliteDatabase, transactionRunner } from './sqlite-database.js';
import type { SqliteHosts } from './sqlite-hosts.js';
import { SqliteInFlightCap } from './sqlite-in-flight-cap.js';
import { type JobAccess, SqliteJobAccess } from './sqlite-job-access.js';
import { type Sent, SqliteSoleSends } from './sqlite-sole-sends.js';
import { SqliteSpotCheck } from './sqlite-spot-check.js';
import { type SqliteVariants, type VariantPick, variantHost } from './sqlite-variants.js';

export class SqliteAssignment {
  private readonly sendReplica;
  private readonly sendGuarded;
  private readonly sendHomogeneous;
  private readonly stillUnsent;
  private readonly keptApart;
  private readonly inTx;
  /** The assignments a pull's writes are answered with. */
  private readonly answers;
  private readonly jobAccess;
  private readonly inFlight;
  private readonly soles;
  private readonly spotChecks;

  constructor(
    db: SqliteDatabase,
    private readonly metaOf: (jobId: number) => JobMeta,
    private readonly hosts: SqliteHosts,
    private readonly variants: SqliteVariants,
    private readonly networkRule: NetworkRule = 'public',
    private readonly random: Random = Math.random,
  ) {
    this.inTx = transactionRunner(db);
    // Never two replicas of one task on one host (BOINC's rule, so a host cannot vote
    // twice): enforced here, where it is the truth, whatever the queue believed. Work a
    // host handed back does not count: it may take that task again.
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
    this.answers = new SqliteAssignmentAnswers(db, variants);
    this.jobAccess = new SqliteJobAccess(db);
    this.inFlight = new SqliteInFlightCap(db, metaOf);
    this.soles = new SqliteSoleSends(db, this.sendReplica, this.sendGuarded);
    this.spotChecks = new SqliteSpotCheck(db, metaOf, this.answers);
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
      const caps = new Map<number, { cap: number; known: boolean }>();
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
          cap = this.inFlight.of(pick.jobId, standing, buffer);
          caps.set(pick.jobId, cap);
        }
        if (standing.in_flight + sends.length >= cap.cap) {
          if (placement) {
            placement.deferred.push(pick);
            placement.capped = true;
            if (!cap.known) placement.cappedUnknown = true;
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
          job = this.jobAccess.of(hostId, pick.jobId, meta, now);
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
      for (const [deadline, group] of sole) this.soles.send(hostId, now, deadline, group);
      const out = this.answered(hostId, sends, placement);
      for (const [jobId, job] of access) {
        if (
          job.trusted &&
          spotCheckNow(job.trusted, adaptiveParams(this.metaOf(jobId).policy), this.random)
        ) {
          this.spotChecks.send(hostId, jobId, now, out, placement);
        }
      }
      this.hosts.chargeSent(hostId, out.length, now);
      return out;
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
}
