/**
 * @module
 * Row shapes shared by the SQL stores and their mapping to wire views, so SQLite and
 * PostgreSQL answer with identical JSON.
 */

import {
  DEFAULT_ARGV0,
  DEFAULT_VALIDATION_MODE,
  EXACT_COMPARE,
  type JobPolicy,
  type JobRequirements,
  type JobState,
  type JobView,
  type ModuleSignature,
  type OutputRef,
  type VariantRequirements,
} from '@anygrid/protocol';

export interface JobRow {
  id: number;
  account_id: number;
  name: string;
  module_hash: string;
  module_size: number;
  /** NULL: the job named none (`DEFAULT_ARGV0`). */
  argv0: string | null;
  /** The module's signature as JSON; NULL for an unsigned job. */
  signature: string | null;
  policy: string;
  priority: number;
  state: JobState;
  tasks_total: number;
  tasks_valid: number;
  tasks_failed: number;
  tasks_no_consensus: number;
  tasks_cancelled: number;
  created_at: number;
  finished_at: number | null;
  /** 1 when some task of the job depends on others (migration 15); NULL otherwise. */
  graph?: number | null;
  /** `JobRequirements` as JSON (migration 19); NULL: any host. */
  requirements?: string | null;
  /** 1 when the job has native variants (migration 20); NULL otherwise. */
  variants?: number | null;
}

/** One variant of a job with native ones (its wasm module among them, key `wasm32-wasi`). */
export interface StoredVariant {
  /** `variantKey`: `wasm32-wasi`, `linux-x64`, `linux-x64+cuda`. */
  readonly key: string;
  readonly platform: string;
  readonly module: { readonly hash: string; readonly size: number };
  readonly gpu?: string;
  readonly requirements?: VariantRequirements;
  readonly signature?: ModuleSignature;
}

/** The immutable part of a job, cached by the stores: every assignment needs it. */
export interface JobMeta {
  readonly accountId: number;
  readonly moduleHash: string;
  readonly moduleSize: number;
  readonly argv0: string;
  readonly policy: JobPolicy;
  /** The module's signature, sent to agents with the job's assignments; absent when unsigned. */
  readonly signature?: ModuleSignature;
  /**
   * Whether some task of the job depends on others: only then does a settlement look for
   * children to release or fail. It turns true when a part with dependencies arrives.
   */
  readonly graph: boolean;
  /** What a host must have to run the job's tasks; absent: any host. */
  readonly requirements?: JobRequirements;
  /**
   * The job's variants (its wasm module first) when it has native ones: assignments
   * choose among them per host (docs/variants.md). Absent for every other job.
   */
  readonly variants?: readonly StoredVariant[];
}

/** What a replica's `outputs` column holds. */
export interface StoredOutputs {
  readonly stdout: OutputRef | null;
  readonly stderr: OutputRef | null;
  readonly files: Readonly<Record<string, OutputRef>>;
}

/** `running`: the progress of the job's running tasks (see `JobProgress.running`), if any. */
export function jobView(row: JobRow, running?: number): JobView {
  const settled = row.tasks_valid + row.tasks_failed + row.tasks_no_consensus + row.tasks_cancelled;
  return {
    id: Number(row.id),
    name: row.name,
    state: row.state,
    module: { hash: row.module_hash, size: Number(row.module_size) },
    argv0: row.argv0 ?? DEFAULT_ARGV0,
    ...(row.signature ? { signature: JSON.parse(row.signature) as ModuleSignature } : {}),
    policy: storedPolicy(row.policy),
    ...(row.requirements ? { requirements: JSON.parse(row.requirements) as JobRequirements } : {}),
    progress: {
      total: row.tasks_total,
      pending: row.tasks_total - settled,
      valid: row.tasks_valid,
      failed: row.tasks_failed,
      noConsensus: row.tasks_no_consensus,
      cancelled: row.tasks_cancelled,
      ...(running === undefined ? {} : { running }),
    },
    createdAt: Number(row.created_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

export function jobMeta(
  row: Pick<
    JobRow,
    | 'account_id'
    | 'module_hash'
    | 'module_size'
    | 'argv0'
    | 'policy'
    | 'signature'
    | 'graph'
    | 'requirements'
  >,
): JobMeta {
  return {
    accountId: Number(row.account_id),
    moduleHash: row.module_hash,
    moduleSize: Number(row.module_size),
    argv0: row.argv0 ?? DEFAULT_ARGV0,
    policy: storedPolicy(row.policy),
    ...(row.signature ? { signature: JSON.parse(row.signature) as ModuleSignature } : {}),
    graph: row.graph === 1,
    ...(row.requirements ? { requirements: JSON.parse(row.requirements) as JobRequirements } : {}),
  };
}

/** A stored policy, with the fields of jobs stored before they existed filled in. */
export function storedPolicy(json: string): JobPolicy {
  const p = JSON.parse(json) as Partial<JobPolicy>;
  return {
    ...p,
    // Jobs from before comparators compare exactly; from before validation modes, replicate.
    compare: p.compare ?? EXACT_COMPARE,
    validation: p.validation ?? DEFAULT_VALIDATION_MODE,
    homogeneous: p.homogeneous ?? false,
    mixedVariants: p.mixedVariants ?? false,
  } as JobPolicy;
}

/** Drops inline bytes from outputs when the caller asked for references only. */
export function withoutData(ref: OutputRef | null): OutputRef | null {
  return ref ? { hash: ref.hash, size: ref.size } : null;
}
