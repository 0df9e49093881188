/**
 * @module
 * App variants in SQLite (docs/variants.md, migration 20): a job's native builds and its
 * wasm module as rows of `job_variants`, written with the job; the variant each replica
 * of such a job was sent to run (`replicas.variant`); the run times its replicas reported,
 * added per variant once per transaction; and the choice of variant for a host at
 * assignment (policy/variant-choice.ts), read from those means once per job and pull.
 * Jobs without native variants never reach this file: their assignments and reports
 * cost what they did before.
 */

import {
  type JobVariant,
  type ModuleSignature,
  type VariantRequirements,
  type VariantRun,
  type VariantView,
  variantKey,
  WASM_VARIANT,
} from '@anygrid/protocol';
import { pinnedChoice, type VariantHost, type VariantRuns } from '../../policy/index.js';
import { capabilitiesOf, type StandingRow } from '../host-rows.js';
import type { StoredVariant } from '../rows.js';
import type { SqliteDatabase } from './sqlite-database.js';

interface VariantRow {
  variant: string;
  platform: string;
  gpu: string | null;
  module_hash: string;
  module_size: number;
  requirements: string | null;
  signature: string | null;
  run_ms: number;
  run_n: number;
}

/** The variant chosen for one replica: its key, and what the assignment carries (undefined: the wasm module). */
export interface VariantPick {
  readonly key: string;
  readonly run: VariantRun | undefined;
}

export class SqliteVariants {
  private readonly insert;
  private readonly rows;
  private readonly runs;
  private readonly pinned;
  private readonly mark;
  private readonly ranWith;
  private readonly addRun;

  constructor(db: SqliteDatabase) {
    this.insert = db.prepare(
      `INSERT INTO job_variants (job_id, variant, platform, gpu, module_hash, module_size, requirements, signature)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.rows = db.prepare('SELECT * FROM job_variants WHERE job_id = ? ORDER BY rowid');
    this.runs = db.prepare('SELECT variant, run_ms, run_n FROM job_variants WHERE job_id = ?');
    // The variant the task's replicas run: one sent and not failed, or reported. A replica
    // that errored, timed out or was handed back pins nothing.
    this.pinned = db
      .prepare(
        `SELECT variant FROM replicas WHERE task_id = ? AND variant IS NOT NULL
           AND state IN ('in_progress', 'reported') LIMIT 1`,
      )
      .pluck();
    this.mark = db.prepare('UPDATE replicas SET variant = ? WHERE id = ?');
    this.ranWith = db.prepare('SELECT variant FROM replicas WHERE id = ?').pluck();
    this.addRun = db.prepare(
      'UPDATE job_variants SET run_ms = run_ms + ?, run_n = run_n + ? WHERE job_id = ? AND variant = ?',
    );
  }

  /** Writes the variants of a new job, its wasm module first. */
  write(
    jobId: number,
    module: { hash: string; size: number },
    variants: readonly JobVariant[],
  ): void {
    this.insert.run(jobId, WASM_VARIANT, WASM_VARIANT, null, module.hash, module.size, null, null);
    for (const v of variants) {
      this.insert.run(
        jobId,
        variantKey(v),
        v.platform,
        v.gpu ?? null,
        v.module.hash,
        v.module.size,
        v.requirements ? JSON.stringify(v.requirements) : null,
        v.signature ? JSON.stringify(v.signature) : null,
      );
    }
  }

  /** The job's variants, its wasm module first, for its cached meta. */
  of(jobId: number): StoredVariant[] {
    return (this.rows.all(jobId) as VariantRow[]).map(storedVariant);
  }

  /** The job's variants as its view shows them, with the runs measured so far. */
  view(jobId: number): VariantView[] {
    return (this.rows.all(jobId) as VariantRow[]).map((r) => {
      const v = storedVariant(r);
      const n = Number(r.run_n);
      return {
        key: v.key,
        platform: v.platform,
        module: v.module,
        ...(v.gpu === undefined ? {} : { gpu: v.gpu as VariantView['gpu'] }),
        ...(v.requirements === undefined ? {} : { requirements: v.requirements }),
        runs: { count: n, meanMs: n === 0 ? null : Number(r.run_ms) / n },
      };
    });
  }

  /** The job's measured run times by variant key: read once per job and pull. */
  measured(jobId: number): Map<string, VariantRuns> {
    const out = new Map<string, VariantRuns>();
    for (const r of this.runs.all(jobId) as Pick<VariantRow, 'variant' | 'run_ms' | 'run_n'>[]) {
      out.set(r.variant, { ms: Number(r.run_ms), n: Number(r.run_n) });
    }
    return out;
  }

  /**
   * The variant a replica of the task runs on this host, or null when the task's other
   * replicas run one this host may not (the replica waits for another host). `pin`: the
   * job keeps a task's replicas on one variant (`mixedVariants` false, outputs compared).
   */
  pick(
    variants: readonly StoredVariant[],
    host: VariantHost,
    runs: ReadonlyMap<string, VariantRuns>,
    taskId: number,
    pin: boolean,
  ): VariantPick | null {
    const pinned = pin ? (this.pinned.get(taskId) as string | undefined) : undefined;
    const chosen = pinnedChoice(variants, host, runs, pinned) as StoredVariant | null;
    if (chosen === null) return null;
    return { key: chosen.key, run: runOf(chosen) };
  }

  /** Records the variant a replica was sent to run. */
  sent(replicaId: number, key: string): void {
    this.mark.run(key, replicaId);
  }

  /** The variant a replica was sent to run; undefined for one sent before it had any. */
  ranBy(replicaId: number): string | undefined {
    return (this.ranWith.get(replicaId) as string | null | undefined) ?? undefined;
  }

  /** Adds run times gathered in a transaction (by job, then variant key). */
  addRuns(runs: ReadonlyMap<number, Map<string, VariantRuns>>): void {
    for (const [jobId, byKey] of runs) {
      for (const [key, r] of byKey) this.addRun.run(r.ms, r.n, jobId, key);
    }
  }
}

/** The host as the variant choice sees it, from its standing row. */
export function variantHost(row: StandingRow): VariantHost {
  return {
    platform: row.platform,
    native: row.runtimes?.split(',').includes('native') === true,
    cores: Number(row.cores),
    memoryBytes: Number(row.memory_bytes),
    accelerators: capabilitiesOf(row).accelerators,
  };
}

function storedVariant(r: VariantRow): StoredVariant {
  return {
    key: r.variant,
    platform: r.platform,
    module: { hash: r.module_hash, size: Number(r.module_size) },
    ...(r.gpu === null ? {} : { gpu: r.gpu }),
    ...(r.requirements === null
      ? {}
      : { requirements: JSON.parse(r.requirements) as VariantRequirements }),
    ...(r.signature === null ? {} : { signature: JSON.parse(r.signature) as ModuleSignature }),
  };
}

/** What an assignment carries to run a native variant; undefined for the wasm module. */
function runOf(v: StoredVariant): VariantRun | undefined {
  if (v.key === WASM_VARIANT) return undefined;
  const run: VariantRun = {
    key: v.key,
    platform: v.platform as VariantRun['platform'],
    module: v.module,
  };
  if (v.gpu !== undefined) run.gpu = v.gpu as VariantRun['gpu'];
  if (v.signature !== undefined) run.signature = v.signature;
  return run;
}
