/**
 * @module
 * What a host may take of one compared job in one pull (sqlite-assignment.ts asks once
 * per job and pull): everything once the validator trusts it with the job's app; before
 * that, the caps on untrusted hosts (policy/placement-limits.ts), the spread between a
 * task's replicas, and, in an `adaptive` job, the wait of a checking replica for a
 * trusted host (adaptive-replication.ts). Apart from the assignment's hot loop because it
 * runs once per job, not per pick, and holds the rules of trust, not of writing.
 */

import {
  adaptiveParams,
  isTrusted,
  requiredStreak,
  SPREAD_MS,
  tracksRecords,
  untrustedAdaptiveCap,
  untrustedJobCap,
  type ValidationRecord,
} from '../../policy/index.js';
import type { JobMeta } from '../rows.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { SqliteValidationRecords } from './sqlite-validation-records.js';

/** A time no replica was sent after: the spread rule does not hold a trusted host back. */
const NEVER = Number.MAX_SAFE_INTEGER;

/** What a host may take of one compared job in one pull. */
export interface JobAccess {
  /** Replicas it may still take. */
  left: number;
  /** Checking replicas created after this time (ms) are not for it yet. */
  checksFrom: number;
  /** A replica whose sibling was sent after this time (ms) and still runs is not for it yet. */
  spreadFrom: number;
  /** The host's record, when the validator trusts it with an `adaptive` job's app: spot checks are for it. */
  trusted?: ValidationRecord;
}

export class SqliteJobAccess {
  private readonly jobLoad;
  private readonly jobTotal;
  private readonly trustedAround;
  private readonly records;

  constructor(db: SqliteDatabase) {
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
  }

  /**
   * What the host may take of a compared job now. Once the validator trusts it with the
   * job's app: anything. Before: at most `untrustedJobCap` replicas in flight (of an
   * `adaptive` job, `untrustedAdaptiveCap`: no more than its warm-up), no replica
   * whose sibling was sent less than `SPREAD_MS` ago and still runs, and, in an
   * `adaptive` job, a replica that checks others only once it has waited `trustedWaitMs`
   * for a trusted host (none waits when no trusted host is about).
   */
  of(hostId: number, jobId: number, meta: JobMeta, now: number): JobAccess {
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
