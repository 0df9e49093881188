/**
 * @module
 * How a job's replicas are compared (`compare` in the job policy). `exact` is the
 * default: outputs agree when their bytes do. `numeric` lets numbers differ within a
 * tolerance, for programs whose floating point legitimately varies between hosts.
 * `validator` hands the candidate outputs to a WASI module the requester uploaded and
 * asks it which agree. Byte-equal outputs agree under every comparator, so the common
 * case never pays for a comparison.
 */

import { z } from 'zod';
import { BlobRef, RelativePath } from './content.js';

export const CompareExact = z.strictObject({ kind: z.literal('exact') });

/** Where a numeric comparison reads its numbers: stdout or one named output file. */
export const NumericSource = z.union([z.literal('stdout'), z.strictObject({ file: RelativePath })]);
export type NumericSource = z.infer<typeof NumericSource>;

/** How the source's bytes hold numbers: JSON text, or raw little-endian IEEE 754 arrays. */
export const NumericFormat = z.enum(['json', 'float32', 'float64']);
export type NumericFormat = z.infer<typeof NumericFormat>;

const Tolerance = z.number().min(0).max(Number.MAX_VALUE);

/**
 * Two numbers agree when |a - b| <= absTol or |a - b| <= relTol * max(|a|, |b|); NaN
 * agrees only with NaN. Everything of the outputs but the source stays exact.
 */
export const CompareNumeric = z.strictObject({
  kind: z.literal('numeric'),
  /** Absolute tolerance; default 0. */
  absTol: Tolerance.optional(),
  /** Relative tolerance; default 1e-9 (a float64 result off in its last bits agrees). */
  relTol: Tolerance.optional(),
  source: NumericSource.default('stdout'),
  format: NumericFormat.default('json'),
});

/** Longest a validator may run for one comparison, and its default. */
export const MAX_VALIDATOR_TIME_MS = 60_000;
export const DEFAULT_VALIDATOR_TIME_MS = 10_000;
/** Most memory a validator may have, and its default. */
export const MAX_VALIDATOR_MEMORY_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_VALIDATOR_MEMORY_BYTES = 128 * 1024 * 1024;

/** A requester's WASI module that tells which candidate outputs agree (docs/validation.md). */
export const CompareValidator = z.strictObject({
  kind: z.literal('validator'),
  /** The wasm32-wasi module, uploaded beforehand like the job's own. */
  module: BlobRef,
  /** Wall time of one run; default `DEFAULT_VALIDATOR_TIME_MS`. */
  timeoutMs: z.number().int().min(10).max(MAX_VALIDATOR_TIME_MS).optional(),
  /** Memory cap of one run in bytes; default `DEFAULT_VALIDATOR_MEMORY_BYTES`. */
  memoryBytes: z
    .number()
    .int()
    .min(1 << 20)
    .max(MAX_VALIDATOR_MEMORY_BYTES)
    .optional(),
});

export const Compare = z.discriminatedUnion('kind', [
  CompareExact,
  CompareNumeric,
  CompareValidator,
]);
export type Compare = z.infer<typeof Compare>;
export type CompareInput = z.input<typeof Compare>;

/** A job's comparator after defaults: what the coordinator stores and applies. */
export const ResolvedCompare = z.discriminatedUnion('kind', [
  CompareExact,
  z.strictObject({
    kind: z.literal('numeric'),
    absTol: z.number(),
    relTol: z.number(),
    source: NumericSource,
    format: NumericFormat,
  }),
  z.strictObject({
    kind: z.literal('validator'),
    module: BlobRef,
    timeoutMs: z.number().int(),
    memoryBytes: z.number().int(),
  }),
]);
export type ResolvedCompare = z.infer<typeof ResolvedCompare>;
export type NumericCompare = Extract<ResolvedCompare, { kind: 'numeric' }>;
export type ValidatorCompare = Extract<ResolvedCompare, { kind: 'validator' }>;

/** The comparator of jobs that name none (and of jobs stored before `compare` existed). */
export const EXACT_COMPARE: ResolvedCompare = Object.freeze({ kind: 'exact' });

/**
 * What a validator prints on stdout: the indexes (1…n-1) of the candidates that agree
 * with candidate 0, as one JSON array. The bytes come from a requester's program, so
 * they are checked like any untrusted input.
 */
export const ValidatorAnswer = z.array(z.number().int().min(1)).max(64);
