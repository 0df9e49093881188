/**
 * @module
 * Jobs and tasks as a requester submits and sees them: the job's policy (redundancy,
 * quorum, error and replica bounds, deadline, priority) and each task's input.
 */

import { z } from 'zod';
import { Compare, EXACT_COMPARE, ResolvedCompare } from './compare.js';
import { BlobRef, OutputRef, RelativePath } from './content.js';
import { FailureCode, RunLimitsSchema } from './limits.js';
import { ModuleSignature } from './module-signature.js';
import { JobPricing } from './pricing.js';
import { JobRequirements } from './requirements.js';
import {
  argvEnvBytes,
  argvEnvTooLarge,
  ENV_NAME,
  MAX_ARGV0_CHARS,
  MAX_TASK_ARGV_ENV_BYTES,
} from './task-argv.js';
import { MAX_TASK_PARENTS } from './task-graph.js';
import { ValidationMode, ValidationModeInput } from './validation.js';
import { JobVariants, VariantView } from './variant.js';

/** Tasks one request may carry: a job creation or one part added to it. */
export const MAX_TASKS_PER_JOB = 200_000;

/** Tasks a job may have in all, sent in parts of up to `MAX_TASKS_PER_JOB`. */
export const MAX_JOB_TASKS = 10_000_000;

/**
 * One unit of input: argv, environment, stdin and input files. argv and environment
 * together are bounded in bytes (`MAX_TASK_ARGV_ENV_BYTES`), as a kernel bounds them.
 */
export const TaskSpec = z
  .strictObject({
    args: z.array(z.string()).default([]),
    env: z.record(z.string().regex(ENV_NAME), z.string()).default({}),
    stdin: BlobRef.optional(),
    files: z.record(RelativePath, BlobRef).default({}),
    /**
     * Indexes (in the job, from 0) of tasks whose validated outputs this task needs: it
     * is sent once they are all valid, with their outputs as input files
     * (`parents/<index>/stdout`, `parents/<index>/files/<name>`), and fails
     * (`parent_failed`) if one of them ends otherwise. Parents are tasks sent before or
     * in the same request; no cycles (task-graph.ts).
     */
    dependsOn: z
      .array(
        z
          .number()
          .int()
          .min(0)
          .max(MAX_JOB_TASKS - 1),
      )
      .max(MAX_TASK_PARENTS)
      .optional(),
  })
  .superRefine((task, ctx) => {
    const bytes = argvEnvBytes(task.args, task.env);
    if (bytes > MAX_TASK_ARGV_ENV_BYTES) {
      ctx.addIssue({ code: 'custom', path: ['args'], message: argvEnvTooLarge(bytes) });
    }
  });
export type TaskSpec = z.infer<typeof TaskSpec>;
export type TaskSpecInput = z.input<typeof TaskSpec>;

/** How a job's tasks are replicated, validated and retried. */
export const JobPolicyInput = z.strictObject({
  /** Replicas created at first. */
  redundancy: z.number().int().min(1).max(16).optional(),
  /** Byte-equal successful outputs needed for a canonical result; default: majority of redundancy, at least 2 when replicated. */
  quorum: z.number().int().min(1).max(16).optional(),
  /** Failed replicas (errors and timeouts) tolerated before the task fails. */
  maxErrors: z.number().int().min(0).max(100).optional(),
  /** Replicas a task may ever have, including those created to settle disagreement. */
  maxTotal: z.number().int().min(1).max(64).optional(),
  /** Time a provider has for one replica, renewable by heartbeat. */
  deadlineMs: z
    .number()
    .int()
    .min(1000)
    .max(7 * 24 * 3600_000)
    .optional(),
  /** Higher first; first come first served within a priority. */
  priority: z.number().int().min(-100).max(100).optional(),
  limits: RunLimitsSchema.partial().optional(),
  /** How replicas' outputs are compared; default `{ kind: 'exact' }` (byte-equal). */
  compare: Compare.optional(),
  /** How results are verified: `replicate` (default), `adaptive` or `none` (validation.ts). */
  validation: ValidationModeInput.optional(),
  /**
   * A task's replicas only go to hosts of the platform of its first replica's host, for
   * programs whose output legitimately differs across platforms.
   */
  homogeneous: z.boolean().optional(),
  /**
   * A task's size in operations of the standard WASM benchmark (hosts declare their
   * speed in those, `HostUpdate.speed`): with it, a task goes only to hosts expected to
   * finish it before its replica deadline, and a host's work buffer is sized from its
   * own speed (docs/scheduling.md, "Placement"). Absent: measured from the job's runtimes.
   */
  estimatedOps: z.number().positive().max(1e18).optional(),
  /**
   * Replicas of one task may run different variants (docs/variants.md). Default false:
   * once a replica of a task runs a variant, the task's other replicas run that same
   * variant (hosts that cannot run it do not get them), for outputs compared byte for byte.
   */
  mixedVariants: z.boolean().optional(),
  /**
   * A paid job's ceiling per unit, budget and tier (pricing.ts, docs/incentives.md):
   * its maximum cost is reserved from the requester's balance at submit, each validated
   * replica pays its host's ask. Absent: a volunteer job, free, run by hosts asking zero.
   */
  pricing: JobPricing.optional(),
});
export type JobPolicyInput = z.infer<typeof JobPolicyInput>;

/** A job's full policy after defaults. */
export const JobPolicy = z.strictObject({
  redundancy: z.number().int(),
  quorum: z.number().int(),
  maxErrors: z.number().int(),
  maxTotal: z.number().int(),
  deadlineMs: z.number().int(),
  priority: z.number().int(),
  limits: RunLimitsSchema,
  /** Absent in jobs stored before comparators existed: those compare exactly. */
  compare: ResolvedCompare.default(EXACT_COMPARE),
  validation: ValidationMode,
  homogeneous: z.boolean(),
  /** The requester's estimate of a task's size in benchmark operations; absent when none was given. */
  estimatedOps: z.number().optional(),
  /** Absent in jobs stored before variants existed: false. */
  mixedVariants: z.boolean().default(false),
  /** Absent: a volunteer job (free). */
  pricing: JobPricing.optional(),
});
export type JobPolicy = z.infer<typeof JobPolicy>;

/** argv[0] of a job's tasks: multicall programs (busybox style) dispatch on it. */
export const Argv0 = z
  .string()
  .min(1)
  .max(MAX_ARGV0_CHARS)
  .refine((s) => !s.includes('\0'), 'must not contain a NUL character');

/** argv[0] of a job that names none (jobs created before argv0 existed included). */
export const DEFAULT_ARGV0 = 'main.wasm';

export const CreateJobRequest = z
  .strictObject({
    name: z.string().min(1).max(200).optional(),
    /** The wasm32-wasi module, uploaded beforehand. */
    module: BlobRef,
    /** argv[0] of every task; default `DEFAULT_ARGV0` (the SDK sends the module's file name). */
    argv0: Argv0.optional(),
    /**
     * The publisher's Ed25519 signature of the module's hash (`signedMessage`). The
     * coordinator refuses one that does not verify (SIGNATURE_INVALID); agents verify it
     * again themselves and run the module only under a key they trust.
     */
    signature: ModuleSignature.optional(),
    /**
     * Native builds of the same program (docs/variants.md), run instead of `module` on
     * hosts that offer the native runtime of their platform when expected faster.
     */
    variants: JobVariants.optional(),
    policy: JobPolicyInput.default({}),
    /** What a host must have to run this job's tasks; absent: any host. */
    requirements: JobRequirements.optional(),
    /** The first tasks (or all of them); indexes count from 0 in this order. */
    tasks: z.array(TaskSpec).min(1).max(MAX_TASKS_PER_JOB),
    /**
     * The job's full number of tasks when more follow in parts (`AddTasksRequest`);
     * default `tasks.length`. Providers start on the first part at once.
     */
    totalTasks: z.number().int().min(1).max(MAX_JOB_TASKS).optional(),
  })
  .refine((r) => r.totalTasks === undefined || r.totalTasks >= r.tasks.length, {
    message: 'totalTasks must be at least the number of tasks sent',
    path: ['totalTasks'],
  });
export type CreateJobRequest = z.infer<typeof CreateJobRequest>;
export type CreateJobRequestInput = z.input<typeof CreateJobRequest>;

/**
 * The next part of a job created with `totalTasks`: tasks `from`, `from + 1`, … A part
 * sent again (the answer was lost) is accepted without adding its tasks twice.
 */
export const AddTasksRequest = z.strictObject({
  /** Index of the part's first task: the number of tasks the job has so far. */
  from: z.number().int().min(1).max(MAX_JOB_TASKS),
  tasks: z.array(TaskSpec).min(1).max(MAX_TASKS_PER_JOB),
});
export type AddTasksRequest = z.infer<typeof AddTasksRequest>;
export type AddTasksRequestInput = z.input<typeof AddTasksRequest>;

export const JobState = z.enum(['running', 'completed', 'cancelled']);
export type JobState = z.infer<typeof JobState>;

export const JobProgress = z.strictObject({
  total: z.number().int(),
  pending: z.number().int(),
  valid: z.number().int(),
  failed: z.number().int(),
  noConsensus: z.number().int(),
  cancelled: z.number().int(),
  /**
   * Work done on the tasks running now, in tasks: the sum over them of the fraction done
   * their programs last reported (docs/checkpoints.md). Absent when none reported any.
   */
  running: z.number().min(0).optional(),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const JobView = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  state: JobState,
  module: BlobRef,
  /** argv[0] of the job's tasks. */
  argv0: z.string(),
  /** The module's signature, when the job was submitted signed. */
  signature: ModuleSignature.optional(),
  policy: JobPolicy,
  /** What a host must have to run the job's tasks, when the job named any. */
  requirements: JobRequirements.optional(),
  /** The job's variants, its wasm module first, when it was submitted with native ones. */
  variants: z.array(VariantView).optional(),
  progress: JobProgress,
  createdAt: z.number().int(),
  finishedAt: z.number().int().nullable(),
  /**
   * In the answer to `POST /v1/jobs` only: why the job may not run soon, e.g. no
   * connected host meets its requirements (`GET /v1/jobs/{id}/diagnostics` says more).
   */
  warnings: z.array(z.string()).optional(),
});
export type JobView = z.infer<typeof JobView>;

export const JobList = z.strictObject({ jobs: z.array(JobView) });
export type JobList = z.infer<typeof JobList>;

export const TaskOutcome = z.enum(['valid', 'failed', 'no_consensus', 'cancelled']);
export type TaskOutcome = z.infer<typeof TaskOutcome>;

/** One candidate output of a task that reached no consensus. */
export const Candidate = z.strictObject({
  digest: z.string(),
  replicas: z.number().int(),
  exitCode: z.number().int().nullable(),
  stdout: OutputRef.nullable(),
});

/**
 * Why the coordinator ended a task as failed (a stable code; never changes meaning):
 * `no_eligible_host`: it failed on every host that could take it, and no new host joined
 * within the coordinator's bound; `parent_failed`: a task it depends on did not end valid,
 * so it never ran.
 */
export const TaskFailReason = z.enum(['no_eligible_host', 'parent_failed']);
export type TaskFailReason = z.infer<typeof TaskFailReason>;

/** A task's final result as the requester sees it. */
export const TaskResult = z.strictObject({
  /** Position of the task in the job as submitted, from 0. */
  index: z.number().int(),
  taskId: z.number().int(),
  outcome: TaskOutcome,
  exitCode: z.number().int().nullable(),
  stdout: OutputRef.nullable(),
  stderr: OutputRef.nullable(),
  files: z.record(z.string(), OutputRef),
  /** Error messages of failed replicas, when the task failed. */
  errors: z.array(z.strictObject({ code: FailureCode, message: z.string() })),
  candidates: z.array(Candidate),
  /** Position in the job's result stream; pass as `after` to resume. */
  cursor: z.number().int(),
  /**
   * True when this result replaces one the stream gave before for the same task: a
   * provider whose result had been accepted was later caught cheating, the task was
   * verified again and its outcome changed. It comes with a later cursor.
   */
  corrected: z.boolean().optional(),
  /**
   * Why a failed task failed when the coordinator ended it rather than its replicas'
   * errors alone: e.g. `no_eligible_host`, every connected host had failed or refused it
   * and no new host joined in time. Absent otherwise.
   */
  reason: z.strictObject({ code: TaskFailReason, message: z.string() }).optional(),
});
export type TaskResult = z.infer<typeof TaskResult>;

export const ResultsQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** Inline outputs up to INLINE_OUTPUT_BYTES; `false` returns refs only. */
  inline: z.enum(['true', 'false']).default('true'),
});

export const ResultPage = z.strictObject({
  results: z.array(TaskResult),
  /** Cursor to pass as `after` for the next page. */
  next: z.number().int(),
  done: z.boolean(),
});
export type ResultPage = z.infer<typeof ResultPage>;
