/**
 * @module
 * Task graphs inside SQLite transactions. When tasks with `dependsOn` are stored, their
 * edges are written and each child counts the parents it still waits for; it gets no
 * replica yet. When a parent settles, the settlement records it (`ChangeCollector.graph`)
 * and, before the same transaction commits, `drain` releases the children whose last
 * parent became valid — their parents' outputs added to their input files, their first
 * replicas created — or fails the children of a parent that ended otherwise, naming it,
 * and so on down to every descendant. Release and failure are thus part of the
 * parent's settlement: a crash leaves either both or neither.
 *
 * Jobs without dependencies never reach this file: settlement only records parents of
 * jobs marked `graph`, so the fast path pays one flag test per settled task.
 */

import {
  type FailureCode,
  type OutputRef,
  parentFilePath,
  parentStdoutPath,
  TaskDependencyUnknownError,
  type TaskSpec,
} from '@anygrid/protocol';
import type { StoredOutputs } from '../rows.js';
import { SqliteBlobRefs } from './sqlite-blob-refs.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** sha256 of no bytes: the stdout a child sees from a parent that printed nothing. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const EMPTY_OUTPUT: OutputRef = { hash: EMPTY_SHA256, size: 0, data: '' };

/** Longest input file name a task may have (RelativePath): agents refuse longer ones. */
const MAX_INPUT_NAME = 255;

/** A settled task of a graph job, for `drain`. */
export interface SettledNode {
  readonly taskId: number;
  readonly jobId: number;
  readonly state: 'valid' | 'failed' | 'no_consensus' | 'cancelled';
}

/** What the graph asks of the settlement that owns it. */
export interface GraphHooks {
  /** Settles an active task as failed (it records the task for `drain` in turn). */
  fail(taskId: number, jobId: number): void;
  /** Creates a released task's first replicas, ready to send. */
  createReplicas(taskId: number, jobId: number): void;
}

/** A child stored in this transaction, its waiting count and a parent that already failed. */
interface Linked {
  readonly childId: number;
  readonly waiting: number;
  readonly failedParent: { readonly index: number; readonly state: string } | null;
}

export class SqliteGraph {
  private readonly insertEdge;
  private readonly setWaiting;
  private readonly taskByIndex;
  private readonly children;
  private readonly decrement;
  private readonly parentOutputs;
  private readonly specOf;
  private readonly setSpec;
  private readonly setFailure;
  private readonly insertInput;
  private readonly blobRefs;
  private readonly stateOf;
  private readonly indexOf;
  private readonly markJob;
  private readonly readInput;

  constructor(db: SqliteDatabase) {
    this.insertEdge = db.prepare(
      'INSERT INTO task_edges (parent_id, child_id) VALUES (?, ?) ON CONFLICT DO NOTHING',
    );
    this.setWaiting = db.prepare('UPDATE tasks SET waiting = ? WHERE id = ?');
    this.taskByIndex = db.prepare(
      'SELECT id, state, settled_seq FROM tasks WHERE job_id = ? AND idx = ?',
    );
    this.children = db.prepare(
      `SELECT t.id, t.state FROM task_edges e JOIN tasks t ON t.id = e.child_id
       WHERE e.parent_id = ? ORDER BY t.id`,
    );
    this.decrement = db
      .prepare(
        `UPDATE tasks SET waiting = waiting - 1 WHERE id = ? AND state = 'active' RETURNING waiting`,
      )
      .pluck();
    this.parentOutputs = db.prepare(
      `SELECT p.idx, r.outputs FROM task_edges e
         JOIN tasks p ON p.id = e.parent_id
         JOIN replicas r ON r.id = p.canonical_replica_id
       WHERE e.child_id = ? ORDER BY p.idx`,
    );
    this.specOf = db.prepare('SELECT spec FROM tasks WHERE id = ?').pluck();
    this.setSpec = db.prepare('UPDATE tasks SET spec = ? WHERE id = ?');
    this.setFailure = db.prepare('UPDATE tasks SET parent_failure = ? WHERE id = ?');
    this.insertInput = db.prepare(
      'INSERT INTO graph_inputs (hash, data) VALUES (?, ?) ON CONFLICT DO NOTHING',
    );
    this.blobRefs = new SqliteBlobRefs(db);
    this.stateOf = db.prepare('SELECT state FROM tasks WHERE id = ?').pluck();
    this.indexOf = db.prepare('SELECT idx FROM tasks WHERE id = ?').pluck();
    this.markJob = db.prepare('UPDATE jobs SET graph = 1 WHERE id = ? AND graph IS NULL');
    this.readInput = db.prepare('SELECT data FROM graph_inputs WHERE hash = ?').pluck();
  }

  /** Marks a job as having dependencies; true when it had none until now. */
  markGraph(jobId: number): boolean {
    return this.markJob.run(jobId).changes > 0;
  }

  /**
   * Writes the edges of tasks just stored (`firstTaskId…` for indexes `firstIndex…`,
   * consecutive in both) and settles what can be settled at once: a child of a parent
   * that already failed fails, a child whose parents are all valid is released. The
   * others wait. Throws TaskDependencyUnknownError for a parent the job does not have.
   */
  link(
    jobId: number,
    firstTaskId: number,
    firstIndex: number,
    tasks: readonly TaskSpec[],
    hooks: GraphHooks,
  ): void {
    const linked: Linked[] = [];
    for (let i = 0; i < tasks.length; i++) {
      const deps = tasks[i]?.dependsOn;
      if (deps === undefined || deps.length === 0) continue;
      const childId = firstTaskId + i;
      let waiting = 0;
      let failedParent: Linked['failedParent'] = null;
      for (const index of new Set(deps)) {
        let parentId: number;
        if (index >= firstIndex && index < firstIndex + tasks.length) {
          parentId = firstTaskId + (index - firstIndex);
          waiting++;
        } else {
          const row = this.taskByIndex.get(jobId, index) as
            | { id: number; state: string; settled_seq: number | null }
            | undefined;
          if (row === undefined) throw new TaskDependencyUnknownError(firstIndex + i, index);
          parentId = row.id;
          // Active with a cursor: a valid task reopened by a re-check. Its settling again
          // releases nothing (its children were released the first time), so its result
          // so far is the one this child gets.
          if (row.state === 'active') {
            if (row.settled_seq === null) waiting++;
          } else if (row.state !== 'valid') failedParent ??= { index, state: row.state };
        }
        this.insertEdge.run(parentId, childId);
      }
      this.setWaiting.run(waiting, childId);
      linked.push({ childId, waiting, failedParent });
    }
    // Edges first, all of them: failing a child fails its own children of this request.
    for (const { childId, failedParent } of linked) {
      if (failedParent && this.stateOf.get(childId) === 'active') {
        this.failChild(childId, jobId, failedParent.index, failedParent.state, hooks);
      }
    }
    for (const { childId, waiting, failedParent } of linked) {
      if (waiting === 0 && failedParent === null) this.release(childId, jobId, hooks);
    }
  }

  /**
   * Follows the settled parents recorded in this transaction (and those their effects
   * settle in turn) until none is left: releases children whose last parent became
   * valid, fails the children of a parent that ended otherwise. A cancelled parent
   * changes nothing: only a cancelled job cancels tasks, and it cancels them all.
   */
  drain(settled: SettledNode[], hooks: GraphHooks): void {
    for (let node = settled.pop(); node !== undefined; node = settled.pop()) {
      if (node.state === 'cancelled') continue;
      const kids = this.children.all(node.taskId) as { id: number; state: string }[];
      if (kids.length === 0) continue;
      if (node.state === 'valid') {
        for (const kid of kids) {
          if (kid.state !== 'active') continue;
          if (this.decrement.get(kid.id) === 0) this.release(kid.id, node.jobId, hooks);
        }
        continue;
      }
      const index = this.indexOf.get(node.taskId) as number;
      for (const kid of kids) {
        if (kid.state === 'active') this.failChild(kid.id, node.jobId, index, node.state, hooks);
      }
    }
  }

  /** The bytes of an inline output that became an input file, or null. */
  input(hash: string): Buffer | null {
    const data = this.readInput.get(hash) as string | undefined;
    return data === undefined ? null : Buffer.from(data, 'base64');
  }

  private failChild(
    childId: number,
    jobId: number,
    parentIndex: number,
    parentState: string,
    hooks: GraphHooks,
  ): void {
    const outcome = parentState === 'no_consensus' ? 'reached no consensus' : parentState;
    this.recordFailure(
      childId,
      `Task ${parentIndex}, which this task depends on, ${outcome}: this task did not run.`,
    );
    hooks.fail(childId, jobId);
  }

  private recordFailure(childId: number, message: string): void {
    const failure: { code: FailureCode; message: string } = { code: 'parent_failed', message };
    this.setFailure.run(JSON.stringify(failure), childId);
  }

  /**
   * Gives a child its parents' validated outputs as input files and its first replicas.
   * Inline outputs (bytes in the report) are kept in `graph_inputs` so that agents can
   * fetch them by hash like any blob; larger ones are blobs already.
   */
  private release(childId: number, jobId: number, hooks: GraphHooks): void {
    const spec = JSON.parse(this.specOf.get(childId) as string) as TaskSpec;
    const files: Record<string, { hash: string; size: number }> = { ...spec.files };
    const rows = this.parentOutputs.all(childId) as { idx: number; outputs: string }[];
    for (const { idx, outputs } of rows) {
      const out = JSON.parse(outputs) as StoredOutputs;
      const inputs: Array<[string, OutputRef]> = [
        [parentStdoutPath(idx), out.stdout ?? EMPTY_OUTPUT],
      ];
      for (const name in out.files) {
        inputs.push([parentFilePath(idx, name), out.files[name] as OutputRef]);
      }
      for (const [path, ref] of inputs) {
        if (path.length > MAX_INPUT_NAME) {
          this.recordFailure(
            childId,
            `Output ${path.slice(path.indexOf('/files/') + 7)} of task ${idx} has too long a name to become this task's input file ${path} (at most ${MAX_INPUT_NAME} characters).`,
          );
          hooks.fail(childId, jobId);
          return;
        }
        files[path] = { hash: ref.hash, size: ref.size };
        if (ref.data !== undefined) {
          this.insertInput.run(ref.hash, ref.data);
          // The job uses it now: kept while the job lives, purged with it (retention).
          this.blobRefs.add(ref.hash, jobId);
        }
      }
    }
    this.setSpec.run(JSON.stringify({ ...spec, files }), childId);
    hooks.createReplicas(childId, jobId);
  }
}
