/**
 * @module
 * The provider side of the protocol. Providers pull (they may sit behind NAT): they ask
 * for up to `max` assignments at once, report several results at once, extend leases of
 * long tasks by heartbeat, and hand back work when they stop.
 */

import { z } from 'zod';
import { BlobRef, OutputRef, RelativePath } from './content.js';
import { FailureCode, RunLimitsSchema } from './limits.js';

const ReplicaId = z.number().int().positive();
const HostId = z.number().int().positive();

export const WorkRequest = z.strictObject({
  hostId: HostId,
  /** Assignments wanted now (free slots plus buffer). */
  max: z.number().int().min(0).max(1000),
});
export type WorkRequest = z.infer<typeof WorkRequest>;

/** One replica to run: everything the sandbox needs, by content address. */
export const Assignment = z.strictObject({
  replicaId: ReplicaId,
  taskId: z.number().int(),
  jobId: z.number().int(),
  module: BlobRef,
  args: z.array(z.string()),
  env: z.record(z.string(), z.string()),
  stdin: BlobRef.nullable(),
  files: z.record(RelativePath, BlobRef),
  limits: RunLimitsSchema,
  /** Epoch ms after which the replica is given to someone else unless extended. */
  deadline: z.number().int(),
  /** Seed for the guest's random_get, equal across replicas so outputs compare. */
  seed: z.number().int(),
});
export type Assignment = z.infer<typeof Assignment>;

export const WorkResponse = z.strictObject({
  assignments: z.array(Assignment),
});
export type WorkResponse = z.infer<typeof WorkResponse>;

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
  replicaIds: z.array(ReplicaId).max(10_000),
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
