/**
 * @module
 * Which jobs use which blobs (table `blob_refs`, migration 17), so the janitor can tell a
 * blob some job still needs from one it may delete. A job's module and validator are
 * written with the job, its inputs with each chunk of tasks (one row per distinct blob,
 * none for tasks without inputs), and outputs held as blobs with the report that names
 * them; inline outputs, the common case, cost one property check per report.
 */

import type { BlobRef, JobPolicy, OutputRef } from '@anygrid/protocol';
import type { NewJob } from '../store.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** What a replica's report says it produced. */
interface ReportedOutputs {
  readonly stdout: OutputRef | null;
  readonly stderr: OutputRef | null;
  readonly files: Readonly<Record<string, OutputRef>>;
}

export class SqliteBlobRefs {
  private readonly insert;
  private readonly used;

  constructor(db: SqliteDatabase) {
    this.insert = db.prepare('INSERT OR IGNORE INTO blob_refs (hash, job_id) VALUES (?, ?)');
    this.used = db.prepare('SELECT 1 FROM blob_refs WHERE hash = ? LIMIT 1').pluck();
  }

  /** The job's module and, for a validator comparator, the validator's module. */
  addJob(jobId: number, moduleHash: string, policy: JobPolicy): void {
    this.insert.run(moduleHash, jobId);
    if (policy.compare.kind === 'validator') this.insert.run(policy.compare.module.hash, jobId);
  }

  /** One blob the job uses from now on (a checkpoint, a parent's output become an input). */
  add(hash: string, jobId: number): void {
    this.insert.run(hash, jobId);
  }

  /** The inputs (stdin and files) of a chunk of the job's tasks. */
  addTasks(jobId: number, tasks: NewJob['tasks']): void {
    const seen = new Set<string>();
    for (const task of tasks) {
      if (task.stdin) seen.add(task.stdin.hash);
      for (const name in task.files) seen.add((task.files[name] as BlobRef).hash);
    }
    for (const hash of seen) this.insert.run(hash, jobId);
  }

  /** Outputs a report holds as blobs (those without inline `data`). */
  addOutputs(jobId: number, outputs: ReportedOutputs): void {
    if (outputs.stdout && outputs.stdout.data === undefined) {
      this.insert.run(outputs.stdout.hash, jobId);
    }
    if (outputs.stderr && outputs.stderr.data === undefined) {
      this.insert.run(outputs.stderr.hash, jobId);
    }
    for (const name in outputs.files) {
      const ref = outputs.files[name] as OutputRef;
      if (ref.data === undefined) this.insert.run(ref.hash, jobId);
    }
  }

  /** Of these hashes, those some job not purged still uses. */
  inUse(hashes: readonly string[]): Set<string> {
    const used = new Set<string>();
    for (const hash of hashes) if (this.used.get(hash) !== undefined) used.add(hash);
    return used;
  }
}
