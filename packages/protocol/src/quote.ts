/**
 * @module
 * Quotes (`POST /v1/quotes`, SDK `grid.quote`, `anygrid quote`): what a job would cost
 * and how long it would take, asked before submitting it (docs/incentives.md, "Quotes").
 * The request is the job as it would be submitted, except that its module may be left
 * out (it only lets the coordinator use the app's measured run times) and its tasks may
 * be a count. The answer is an estimate from the asks, speeds and slots of the hosts
 * connected now and the work queued ahead: nothing is reserved.
 */

import { z } from 'zod';
import { BlobRef } from './content.js';
import {
  CreateJobRequest,
  JobPolicyInput,
  MAX_JOB_TASKS,
  MAX_TASKS_PER_JOB,
  TaskSpec,
} from './job.js';
import { Micros } from './pricing.js';
import { JobRequirements } from './requirements.js';

export const QuoteRequest = z.strictObject({
  ...CreateJobRequest.shape,
  /** The job's module, when uploaded: its past jobs' measured run times size the tasks. */
  module: BlobRef.optional(),
  policy: JobPolicyInput.default({}),
  requirements: JobRequirements.optional(),
  /** The tasks as they would be sent, or how many there would be. */
  tasks: z.union([
    z.array(TaskSpec).min(1).max(MAX_TASKS_PER_JOB),
    z.number().int().min(1).max(MAX_JOB_TASKS),
  ]),
});
export type QuoteRequest = z.infer<typeof QuoteRequest>;
export type QuoteRequestInput = z.input<typeof QuoteRequest>;

/** Where a quote's task size came from. */
export const QuoteSizeSource = z.enum([
  /** The job's `policy.estimatedOps`. */
  'estimate',
  /** Run times measured on earlier jobs of the same module. */
  'measured',
  /** Nothing known: the wall-time limit stands in for a task's run time. */
  'limit',
]);
export type QuoteSizeSource = z.infer<typeof QuoteSizeSource>;

export const Quote = z.strictObject({
  /** Tasks quoted (`totalTasks`, else the tasks or count sent). */
  tasks: z.number().int(),
  /** Replicas per task: the least that can settle a task, those the policy creates, the most it may ever have. */
  replicasPerTask: z.strictObject({
    min: z.number().int(),
    expected: z.number().int(),
    max: z.number().int(),
  }),
  /** Whether the job pays (it has pricing); a free job costs nothing and runs on volunteers. */
  paid: z.boolean(),
  tier: z.enum(['economy', 'standard', 'priority']).optional(),
  hosts: z.strictObject({
    /** Hosts connected now. */
    connected: z.number().int(),
    /** Of those, hosts that meet the requirements, the deadline and the price ceiling. */
    eligible: z.number().int(),
    /** Their slots in all. */
    slots: z.number().int(),
  }),
  /** A task's size in normalized CPU-seconds (at the reference speed), and where it came from. */
  taskSeconds: z.number(),
  sizeSource: QuoteSizeSource,
  /**
   * What the requester would pay in all, in micro-credits (tier multiplier and platform
   * fee included): `min` every task settled by the fewest replicas on the cheapest
   * eligible host, `expected` the policy's replicas on the cheapest hosts that have the
   * slots for them, `max` what a submit reserves (every replica a task may have at the
   * ceiling over the whole wall-time limit, or the budget). `min` and `expected` are
   * null while no eligible host is connected.
   */
  cost: z.strictObject({
    min: Micros.nullable(),
    expected: Micros.nullable(),
    max: Micros,
  }),
  /**
   * Estimated seconds until the last task settles: the replicas queued ahead (of equal or
   * higher priority) and the job's own, over the eligible hosts' slots at their speeds.
   * Null while no eligible host is connected.
   */
  completionSeconds: z.number().nullable(),
  /** Replicas queued ahead of this job (equal or higher priority). */
  queuedAhead: z.number().int(),
  /** What the estimate rests on and what would change it, in sentences. */
  messages: z.array(z.string()),
});
export type Quote = z.infer<typeof Quote>;
