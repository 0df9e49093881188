/**
 * @module
 * One task as `GET /v1/jobs/{id}/tasks/{index}` shows it, read from SQLite: its state and
 * its replicas in the order they were created, each with its host, the variant it ran
 * (migration 20), its run time and how it ended. A requester's look at one task: two
 * reads by index, nothing on the task path.
 */

import type { FailureCode, ReplicaView, TaskView } from '@anygrid/protocol';
import type { SqliteDatabase } from './sqlite-database.js';

interface ReplicaRow {
  id: number;
  state: string;
  validation: string | null;
  host_id: number | null;
  variant: string | null;
  sent_at: number | null;
  reported_at: number | null;
  duration_ms: number | null;
  exit_code: number | null;
  error: string | null;
}

export class SqliteTaskView {
  private readonly task;
  private readonly replicas;

  constructor(db: SqliteDatabase) {
    this.task = db.prepare('SELECT id, state FROM tasks WHERE job_id = ? AND idx = ?');
    this.replicas = db.prepare(
      `SELECT id, state, validation, host_id, variant, sent_at, reported_at, duration_ms, exit_code, error
       FROM replicas WHERE task_id = ? ORDER BY id`,
    );
  }

  /** The task of the job at `index`, or null when the job has none there. */
  read(jobId: number, index: number): TaskView | null {
    const task = this.task.get(jobId, index) as { id: number; state: string } | undefined;
    if (task === undefined) return null;
    const rows = this.replicas.all(task.id) as ReplicaRow[];
    return {
      index,
      taskId: Number(task.id),
      state: task.state,
      replicas: rows.map(replicaView),
    };
  }
}

function replicaView(r: ReplicaRow): ReplicaView {
  return {
    id: Number(r.id),
    state: r.state,
    validation: r.validation,
    hostId: r.host_id === null ? null : Number(r.host_id),
    variant: r.variant,
    sentAt: r.sent_at === null ? null : Number(r.sent_at),
    reportedAt: r.reported_at === null ? null : Number(r.reported_at),
    durationMs: r.duration_ms,
    exitCode: r.exit_code,
    error:
      r.error === null ? null : (JSON.parse(r.error) as { code: FailureCode; message: string }),
  };
}
