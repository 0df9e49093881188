/**
 * @module
 * How a job's results are verified (`policy.validation`). Providers are strangers, so a
 * result is accepted by comparison; the modes differ in how much comparison they pay for:
 * - `replicate`: every task runs on `redundancy` hosts and `quorum` of them must agree
 *   (the default, and the behaviour of jobs that name no mode);
 * - `adaptive`: a task runs once, and a second replica is made when the host that ran it
 *   has no record yet, or by a chance that falls with its record to `floor`;
 * - `spot-check`: a task runs once; the tasks whose answers the requester knows are
 *   checked against them, and a share `rate` of the others runs a second time;
 * - `none`: the first successful result is accepted, for pools the requester trusts.
 * docs/validation.md has the rule and its parameters.
 */

import { z } from 'zod';
import { INLINE_OUTPUT_BYTES, Sha256 } from './content.js';

export const ReplicateValidation = z.strictObject({ mode: z.literal('replicate') });

/** Most distinct confirming accounts `adaptive` may require before it trusts a host. */
export const MAX_TRUST_PARTNERS = 8;

export const AdaptiveValidation = z.strictObject({
  mode: z.literal('adaptive'),
  /** Lowest replication probability of a trusted host (default 0.05). */
  floor: z.number().min(0).max(1).optional(),
  /** Results in a row, per host and app, before any task of the host may go unreplicated (default 20). */
  warmup: z.number().int().min(1).max(10_000).optional(),
  /** How long a replica that checks another waits for a trusted host before any may take it, in ms (default 30 000). */
  trustedWaitMs: z.number().int().min(0).max(3_600_000).optional(),
  /**
   * Distinct other accounts whose hosts must have confirmed a host's results since its
   * last catch before it is trusted (default 3): a colluding pair never confirms itself
   * into trust. 0 turns the rule off, for pools of one owner.
   */
  partners: z.number().int().min(0).max(MAX_TRUST_PARTNERS).optional(),
});

export const NoValidation = z.strictObject({ mode: z.literal('none') });

/** Most known answers a job may carry. */
export const MAX_KNOWN_ANSWERS = 10_000;

/**
 * A task whose correct output the requester knows: its index in the job and either the
 * expected stdout (as text, with exit code 0 and no output files) or the output digest
 * the coordinator computes for a report (exit code, stdout hash and file hashes).
 */
export const KnownAnswer = z
  .strictObject({
    index: z.number().int().min(0),
    stdout: z.string().max(INLINE_OUTPUT_BYTES).optional(),
    digest: Sha256.optional(),
  })
  .refine((k) => (k.stdout === undefined) !== (k.digest === undefined), {
    message: 'give exactly one of stdout and digest',
  });
export type KnownAnswer = z.infer<typeof KnownAnswer>;

export const SpotCheckValidation = z.strictObject({
  mode: z.literal('spot-check'),
  /** Share of the other tasks run a second time, on another host, to compare (0..1). */
  rate: z.number().min(0).max(1),
  knownAnswers: z.array(KnownAnswer).max(MAX_KNOWN_ANSWERS).optional(),
});

/** A job's validation mode as a requester names it. */
export const ValidationModeInput = z.discriminatedUnion('mode', [
  ReplicateValidation,
  AdaptiveValidation,
  SpotCheckValidation,
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
    /** Absent in jobs stored before the rule: they take the default. */
    partners: z.number().int().optional(),
  }),
  z.strictObject({
    mode: z.literal('spot-check'),
    rate: z.number(),
    /** Known answers as output digests, by task index. */
    knownAnswers: z.array(z.strictObject({ index: z.number().int(), digest: Sha256 })),
  }),
  NoValidation,
]);
export type ValidationMode = z.infer<typeof ValidationMode>;

/** The validation of jobs that name none, and of jobs stored before the field existed. */
export const DEFAULT_VALIDATION_MODE: ValidationMode = { mode: 'replicate' };
