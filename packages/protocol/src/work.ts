/**
 * @module
 * The provider side of the protocol. Providers pull (they may sit behind NAT): they ask
 * for up to `max` assignments at once, report several results at once, extend leases of
 * long tasks by heartbeat, and hand back work when they stop.
 */

import { z } from 'zod';
import { BlobRef, OutputRef, RelativePath } from './content.js';
import { HostUpdate } from './host.js';
import { DEFAULT_ARGV0 } from './job.js';
import { FailureCode, RunLimitsSchema } from './limits.js';
import { BlobInventoryDelta } from './locality.js';
import { ModuleSignature } from './module-signature.js';
import { VariantRun } from './variant.js';

const ReplicaId = z.number().int().positive();
const HostId = z.number().int().positive();

export const WorkRequest = z.strictObject({
  hostId: HostId,
  /** Assignments wanted now (free slots plus buffer). */
  max: z.number().int().min(0).max(1000),
  /** Changes to the host's large blobs since its last report (locality.ts); usually absent. */
  blobs: BlobInventoryDelta.optional(),
  /**
   * Work the host wants to hold per slot, in estimated seconds (its work buffer). The
   * coordinator bounds the host's replicas in flight by slots × this buffer over each
   * job's runtime estimate, and by its own cap whatever is asked. Absent: its default.
   */
  bufferSeconds: z.number().positive().max(86_400).optional(),
});
export type WorkRequest = z.infer<typeof WorkRequest>;

/** One replica to run: everything the sandbox needs, by content address. */
export const Assignment = z.strictObject({
  replicaId: ReplicaId,
  taskId: z.number().int(),
  jobId: z.number().int(),
  module: BlobRef,
  /** argv[0], the job's program name. */
  argv0: z.string(),
  args: z.array(z.string()),
  env: z.record(z.string(), z.string()),
  stdin: BlobRef.nullable(),
  files: z.record(RelativePath, BlobRef),
  limits: RunLimitsSchema,
  /** Epoch ms after which the replica is given to someone else unless extended. */
  deadline: z.number().int(),
  /** Seed for the guest's random_get, equal across replicas so outputs compare. */
  seed: z.number().int(),
  /** The job's module signature, for the agent to verify before it runs the module. */
  signature: ModuleSignature.optional(),
  /**
   * The checkpoint this replica resumes (docs/checkpoints.md): the newest one of the
   * replica it replaces, which timed out or was handed back. The agent places it at
   * `/checkpoint/state` before the program starts. Absent: the run starts afresh.
   */
  checkpoint: BlobRef.optional(),
  /**
   * The native build to run instead of the job's wasm `module` (docs/variants.md), sent
   * only to a host that registered the `native` runtime of its platform. Absent: the
   * wasm module.
   */
  variant: VariantRun.optional(),
});
export type Assignment = z.infer<typeof Assignment>;

/** A job id as a key of a work answer's `jobs`. */
export const JOB_ID_KEY = /^[0-9]+$/;

/** What every assignment of one job shares: sent once per work answer, not with each. */
export const JobRun = z.strictObject({
  module: BlobRef,
  /** argv[0] of the job's tasks; absent: `main.wasm` (coordinators before it existed). */
  argv0: z.string().optional(),
  limits: RunLimitsSchema,
  /** The module's signature when the job is signed; absent for unsigned jobs. */
  signature: ModuleSignature.optional(),
});
export type JobRun = z.infer<typeof JobRun>;

/** An assignment as a work answer carries it: its module and limits are its job's, in `jobs`. */
export const AssignmentEntry = Assignment.omit({
  module: true,
  argv0: true,
  limits: true,
  signature: true,
});
export type AssignmentEntry = z.infer<typeof AssignmentEntry>;

/**
 * The answer to a work request. A job's module and limits travel once, under its id in
 * `jobs`, rather than in each of the hundreds of its assignments an answer holds:
 * that halved the bytes to send and parse.
 */
export const WorkResponse = z
  .strictObject({
    jobs: z.record(z.string().regex(JOB_ID_KEY), JobRun),
    assignments: z.array(AssignmentEntry),
    /**
     * More work waits for this host than the answer carried: it holds all its work buffer
     * allows for now (its in-flight bound). It should ask again as its runs end rather
     * than wait for an announcement, which only goes to hosts left wanting.
     */
    more: z.literal(true).optional(),
  })
  .refine((r) => r.assignments.every((a) => r.jobs[a.jobId] !== undefined), {
    message: 'every assignment must name a job listed in jobs',
    path: ['jobs'],
  });
export type WorkResponse = z.infer<typeof WorkResponse>;

/** A work answer for these assignments: each job's module and limits once. */
export function workResponse(assignments: readonly Assignment[], more = false): WorkResponse {
  const jobs: Record<string, JobRun> = {};
  const entries = assignments.map((a): AssignmentEntry => {
    jobs[a.jobId] ??=
      a.signature === undefined
        ? { module: a.module, argv0: a.argv0, limits: a.limits }
        : { module: a.module, argv0: a.argv0, limits: a.limits, signature: a.signature };
    const entry: AssignmentEntry = {
      replicaId: a.replicaId,
      taskId: a.taskId,
      jobId: a.jobId,
      args: a.args,
      env: a.env,
      stdin: a.stdin,
      files: a.files,
      deadline: a.deadline,
      seed: a.seed,
    };
    // Only resumed replicas carry one: every other entry keeps the usual keys.
    if (a.checkpoint !== undefined) entry.checkpoint = a.checkpoint;
    if (a.variant !== undefined) entry.variant = a.variant;
    return entry;
  });
  return more ? { jobs, assignments: entries, more } : { jobs, assignments: entries };
}

/** The assignments of a work answer, each with its job's module and limits. */
export function assignmentsOf(response: WorkResponse): Assignment[] {
  return response.assignments.map((a) => {
    const job = response.jobs[a.jobId] as JobRun;
    const run = { ...a, module: job.module, argv0: job.argv0 ?? DEFAULT_ARGV0, limits: job.limits };
    return job.signature === undefined ? run : { ...run, signature: job.signature };
  });
}

/** The outcome of one replica as a provider reports it. */
export const Report = z.strictObject({
  replicaId: ReplicaId,
  /** success: the program ran to exit code 0 within its limits. */
  status: z.enum(['success', 'error']),
  exitCode: z.number().int().nullable(),
  stdout: OutputRef.nullable(),
  /** null when the program wrote nothing to stderr (agents send it so; stderr is never compared). */
  stderr: OutputRef.nullable(),
  files: z.record(RelativePath, OutputRef).default({}),
  error: z
    .strictObject({ code: FailureCode, message: z.string().max(4000) })
    .nullable()
    .default(null),
  durationMs: z.number().min(0),
});
export type Report = z.infer<typeof Report>;
export type ReportInput = z.input<typeof Report>;

/** Most reports one batch may carry. */
export const MAX_REPORTS_PER_BATCH = 1000;

export const ReportBatch = z.strictObject({
  hostId: HostId,
  reports: z.array(Report).min(1).max(MAX_REPORTS_PER_BATCH),
});
export type ReportBatch = z.infer<typeof ReportBatch>;

/** accepted: recorded now; duplicate: recorded before (reports are idempotent); late: the replica had already been given up on. */
export const ReportStatus = z.enum(['accepted', 'duplicate', 'late']);
export type ReportStatus = z.infer<typeof ReportStatus>;

export const ReportResponse = z.strictObject({
  results: z.array(z.strictObject({ replicaId: ReplicaId, status: ReportStatus })),
});
export type ReportResponse = z.infer<typeof ReportResponse>;

export const HeartbeatRequest = z.strictObject({
  hostId: HostId,
  /**
   * Every replica the host holds (buffered, running, or finished and not yet reported).
   * One the coordinator wrote to the host longer ago than a host may stay silent and that
   * the list leaves out is taken to be lost on its way and goes to another host.
   */
  replicaIds: z.array(ReplicaId).max(10_000),
  /** The list is one part of a longer one: nothing is taken to be lost by what it leaves out. */
  partial: z.boolean().optional(),
  /** What changed about the host since it registered (free disk, a new benchmark run). */
  update: HostUpdate.optional(),
});
export type HeartbeatRequest = z.infer<typeof HeartbeatRequest>;

export const HeartbeatResponse = z.strictObject({
  /** New deadlines of replicas still wanted. */
  extended: z.array(z.strictObject({ replicaId: ReplicaId, deadline: z.number().int() })),
  /** Replicas to stop: cancelled, already settled, or given to someone else. */
  cancel: z.array(ReplicaId),
});
export type HeartbeatResponse = z.infer<typeof HeartbeatResponse>;

export const AbandonRequest = z.strictObject({
  hostId: HostId,
  replicaIds: z.array(ReplicaId).min(1).max(10_000),
});
export type AbandonRequest = z.infer<typeof AbandonRequest>;

export const AbandonResponse = z.strictObject({ abandoned: z.number().int() });

/** Largest checkpoint state a coordinator keeps for a replica. */
export const MAX_CHECKPOINT_BYTES = 64 * 1024 * 1024;

/**
 * A running replica's newest checkpoint (docs/checkpoints.md), sent by the host that
 * holds it: the state, already uploaded as a blob (`PUT /v1/blobs/{hash}`), and the
 * fraction of the work done. Either may be null (progress without a new state, or a
 * state without progress); the coordinator keeps the last non-null of each.
 */
export const CheckpointRequest = z.strictObject({
  hostId: HostId,
  replicaId: ReplicaId,
  state: BlobRef.refine((ref) => ref.size <= MAX_CHECKPOINT_BYTES, {
    message: `a checkpoint stops at ${MAX_CHECKPOINT_BYTES} bytes`,
    path: ['size'],
  }).nullable(),
  fraction: z.number().min(0).max(1).nullable(),
});
export type CheckpointRequest = z.infer<typeof CheckpointRequest>;

/** recorded: kept for the replica; stale: the replica no longer runs (stop sending). */
export const CheckpointResponse = z.strictObject({ status: z.enum(['recorded', 'stale']) });
export type CheckpointResponse = z.infer<typeof CheckpointResponse>;
