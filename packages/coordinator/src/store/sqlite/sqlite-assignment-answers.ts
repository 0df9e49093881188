/**
 * @module
 * The assignments a host is answered with, built from the replicas a pull wrote to it
 * (sqlite-assignment.ts): each task's spec, read for the whole pull at once (one read
 * per pull, where each read is a round trip on PostgreSQL), with the job's module,
 * limits and signature, the variant chosen for it, and the checkpoint a replacement
 * replica resumes from.
 */

import type { Assignment, TaskSpec } from '@anygrid/protocol';
import type { JobMeta } from '../rows.js';
import type { ReplicaPick } from '../store.js';
import { SqliteCheckpoints } from './sqlite-checkpoints.js';
import type { SqliteDatabase } from './sqlite-database.js';
import type { SqliteVariants, VariantPick } from './sqlite-variants.js';

/** A replica written to a host: what its assignment is made of. */
export interface SentPick {
  readonly pick: ReplicaPick;
  readonly meta: JobMeta;
  readonly deadline: number;
  /** The variant chosen, for a job with variants. */
  readonly variant?: VariantPick;
}

interface SpecRow {
  readonly id: number;
  readonly spec: string;
  readonly seed: number;
}

export class SqliteAssignmentAnswers {
  private readonly taskSpecs;
  private readonly checkpoints;

  constructor(
    db: SqliteDatabase,
    private readonly variants: SqliteVariants,
  ) {
    this.taskSpecs = db.prepare(
      'SELECT id, spec, seed FROM tasks WHERE id IN (SELECT value FROM json_each(?))',
    );
    this.checkpoints = new SqliteCheckpoints(db);
  }

  /** The assignments of replicas just sent, in their order. */
  build(sent: readonly SentPick[]): Assignment[] {
    if (sent.length === 0) return [];
    const ids = JSON.stringify(sent.map((s) => s.pick.taskId));
    const specs = new Map((this.taskSpecs.all(ids) as SpecRow[]).map((r) => [r.id, r]));
    return sent.map((s) => this.assignment(s, specs.get(s.pick.taskId)));
  }

  private assignment({ pick, meta, deadline, variant }: SentPick, row?: SpecRow): Assignment {
    if (row === undefined) throw new Error(`task ${pick.taskId} vanished while being assigned`);
    const task = JSON.parse(row.spec) as TaskSpec;
    const assignment: Assignment = {
      replicaId: pick.replicaId,
      taskId: pick.taskId,
      jobId: pick.jobId,
      module: { hash: meta.moduleHash, size: meta.moduleSize },
      argv0: meta.argv0,
      args: task.args,
      env: task.env,
      stdin: task.stdin ?? null,
      files: task.files,
      limits: meta.policy.limits,
      deadline,
      seed: row.seed,
    };
    if (meta.signature !== undefined) assignment.signature = meta.signature;
    if (variant !== undefined) {
      this.variants.sent(pick.replicaId, variant.key);
      if (variant.run !== undefined) assignment.variant = variant.run;
    }
    // Only a reissued replica that replaced a dead one can resume a checkpoint chain:
    // fresh work and checks (nearly all reissues of an adaptive job) need no look.
    if (pick.reissue === true && pick.mayResume !== false) {
      const checkpoint = this.checkpoints.of(pick.replicaId);
      if (checkpoint !== undefined) assignment.checkpoint = checkpoint;
    }
    return assignment;
  }
}
