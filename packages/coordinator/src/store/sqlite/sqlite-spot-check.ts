/**
 * @module
 * Spot checks at assignment (docs/validation.md): a host the validator trusts with an
 * `adaptive` job's app is now and then (`spotCheckNow`, decided in sqlite-assignment.ts)
 * sent a new replica of a task whose answer a trusted quorum gave, in place of its last
 * assignment. Apart from the assignment because it writes a replica of its own, outside
 * the pull's picks, and is rare.
 */

import type { Assignment } from '@anygrid/protocol';
import type { JobMeta } from '../rows.js';
import type { Placement } from '../store.js';
import type { SqliteAssignmentAnswers } from './sqlite-assignment-answers.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** How many of a job's last settled tasks a spot check looks through for a known answer. */
const SPOT_WINDOW = 512;

export class SqliteSpotCheck {
  private readonly spotTask;
  private readonly insertSpot;
  private readonly unsend;

  constructor(
    db: SqliteDatabase,
    private readonly metaOf: (jobId: number) => JobMeta,
    private readonly answers: SqliteAssignmentAnswers,
  ) {
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
  }

  /**
   * Sends the host one spot check of the job (a task whose answer a trusted quorum gave),
   * in place of its last assignment, which goes back to the queue: the host gets no more
   * than it asked for, and cannot tell the check from its other work.
   */
  send(
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
}
