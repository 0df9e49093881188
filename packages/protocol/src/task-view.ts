/**
 * @module
 * One task as its requester inspects it (`GET /v1/jobs/{id}/tasks/{index}`): its state
 * and every replica it had, with the host that ran it, the variant it ran
 * (docs/variants.md), how long it took and how it ended.
 */

import { z } from 'zod';
import { FailureCode } from './limits.js';

/** One attempt of a task on one host. */
export const ReplicaView = z.strictObject({
  id: z.number().int(),
  /** unsent, in_progress, reported, errored, timed_out, abandoned, refused. */
  state: z.string(),
  /** valid, invalid, inconclusive… once judged; null before. */
  validation: z.string().nullable(),
  hostId: z.number().int().nullable(),
  /**
   * The variant it was sent to run (`wasm32-wasi`, `linux-x64`, …); null for replicas of
   * a job without native variants (they run its wasm module) and replicas not sent.
   */
  variant: z.string().nullable(),
  sentAt: z.number().int().nullable(),
  reportedAt: z.number().int().nullable(),
  /** The run time its host reported. */
  durationMs: z.number().nullable(),
  exitCode: z.number().int().nullable(),
  error: z.strictObject({ code: FailureCode, message: z.string() }).nullable(),
});
export type ReplicaView = z.infer<typeof ReplicaView>;

export const TaskView = z.strictObject({
  index: z.number().int(),
  taskId: z.number().int(),
  /** active, valid, failed, no_consensus, cancelled. */
  state: z.string(),
  replicas: z.array(ReplicaView),
});
export type TaskView = z.infer<typeof TaskView>;

/** Path parameters of `GET /v1/jobs/{id}/tasks/{index}`. */
export const TaskPathParams = z.strictObject({
  id: z.coerce.number().int().positive(),
  index: z.coerce.number().int().min(0),
});
