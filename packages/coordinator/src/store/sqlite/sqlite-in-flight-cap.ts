/**
 * @module
 * How many replicas of a job a host may hold (policy/in-flight-cap.ts), from its work
 * buffer at its own speed and the replica deadline (deadline-fit.ts), with the job's
 * measured run times read from its row. Asked once per job and pull by the assignment
 * (sqlite-assignment.ts); apart from it because it is the one place the job's runtime
 * row is read there.
 */

import { inFlightCap, measuredSize, runtimeOnHost } from '../../policy/index.js';
import type { StandingRow } from '../host-rows.js';
import type { JobMeta } from '../rows.js';
import type { HostBuffer } from '../store.js';
import type { SqliteDatabase } from './sqlite-database.js';

export class SqliteInFlightCap {
  private readonly jobRuntime;

  constructor(
    db: SqliteDatabase,
    private readonly metaOf: (jobId: number) => JobMeta,
  ) {
    this.jobRuntime = db.prepare('SELECT run_ms, run_n, run_ops, run_ops_n FROM jobs WHERE id = ?');
  }

  /**
   * How many replicas of the job the host may hold: its runtime is the task's size over
   * the host's speed, else the job's mean so far (deadline-fit.ts), and the deadline
   * bounds what it may queue. `known`: whether that runtime is known yet (else the cap is
   * the small one for a job nobody has reported).
   */
  of(jobId: number, standing: StandingRow, buffer: HostBuffer): { cap: number; known: boolean } {
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
    const cap = inFlightCap({
      slots: standing.slots,
      ...buffer,
      ...(estimateMs === undefined ? {} : { estimateMs, deadlineMs: policy.deadlineMs }),
    });
    return { cap, known: estimateMs !== undefined };
  }
}
