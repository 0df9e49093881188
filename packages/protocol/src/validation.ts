/**
 * @module
 * How a job's results are verified (`policy.validation`). Providers are strangers, so a
 * result is accepted by comparison; the modes differ in how much comparison they pay for:
 * - `replicate`: every task runs on `redundancy` hosts and `quorum` of them must agree
 *   (the default, and the behaviour of jobs that name no mode);
 * - `adaptive`: a task runs once, and a second replica is made when the host that ran it
 *   has no record yet, or by a chance that falls with its record to `floor`;
 * - `none`: the first successful result is accepted, for pools the requester trusts.
 * docs/validation.md has the rule and its parameters.
 */

import { z } from 'zod';

export const ReplicateValidation = z.strictObject({ mode: z.literal('replicate') });

export const AdaptiveValidation = z.strictObject({
  mode: z.literal('adaptive'),
  /** Lowest replication probability of a trusted host (default 0.05). */
  floor: z.number().min(0).max(1).optional(),
  /** Results in a row, per host and app, before any task of the host may go unreplicated (default 20). */
  warmup: z.number().int().min(1).max(10_000).optional(),
  /** How long a replica that checks another waits for a trusted host before any may take it, in ms (default 30 000). */
  trustedWaitMs: z.number().int().min(0).max(3_600_000).optional(),
});

export const NoValidation = z.strictObject({ mode: z.literal('none') });

/** A job's validation mode as a requester names it. */
export const ValidationModeInput = z.discriminatedUnion('mode', [
  ReplicateValidation,
  AdaptiveValidation,
  NoValidation,
]);
export type ValidationModeInput = z.infer<typeof ValidationModeInput>;

/** A job's validation mode after defaults. */
export const ValidationMode = z.discriminatedUnion('mode', [
  ReplicateValidation,
  z.strictObject({
    mode: z.literal('adaptive'),
    floor: z.number(),
    warmup: z.number().int(),
    trustedWaitMs: z.number().int(),
  }),
  NoValidation,
]);
export type ValidationMode = z.infer<typeof ValidationMode>;

/** The validation of jobs that name none, and of jobs stored before the field existed. */
export const DEFAULT_VALIDATION_MODE: ValidationMode = { mode: 'replicate' };
