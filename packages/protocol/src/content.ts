/**
 * @module
 * Content-addressed references: every module, input and output is named by the
 * sha256 of its bytes, so it is stored once and fetched once per host.
 */

import { z } from 'zod';

/** What a lowercase hex sha256 looks like (the readers that check in place use it too). */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Lowercase hex sha256. */
export const Sha256 = z.string().regex(SHA256_HEX, 'must be a lowercase hex sha256');
export type Sha256 = z.infer<typeof Sha256>;

/** Largest blob the coordinator accepts: real WASI programs reach ~100 MB. */
export const MAX_BLOB_BYTES = 256 * 1024 * 1024;

/** Outputs up to this size travel inline (base64) in reports and results; larger ones as blobs. */
export const INLINE_OUTPUT_BYTES = 64 * 1024;

/** Characters of the base64 of `INLINE_OUTPUT_BYTES` bytes. */
export const INLINE_OUTPUT_BASE64_CHARS = Math.ceil(INLINE_OUTPUT_BYTES / 3) * 4;

/** A blob already uploaded to the coordinator. */
export const BlobRef = z.strictObject({
  hash: Sha256,
  size: z.number().int().min(0).max(MAX_BLOB_BYTES),
});
export type BlobRef = z.infer<typeof BlobRef>;

/**
 * An output: its address and size, with the bytes inline (base64) when small. Inline
 * bytes stop at `INLINE_OUTPUT_BYTES`: a provider must upload anything larger as a blob,
 * which is checked by size and hash before it is stored, rather than push megabytes
 * through a report that every coordinator parses in one piece.
 */
export const OutputRef = z
  .strictObject({
    hash: Sha256,
    size: z.number().int().min(0).max(MAX_BLOB_BYTES),
    data: z.base64().max(INLINE_OUTPUT_BASE64_CHARS).optional(),
  })
  .refine((ref) => ref.data === undefined || ref.size <= INLINE_OUTPUT_BYTES, {
    message: `inline data stops at ${INLINE_OUTPUT_BYTES} bytes; upload a larger output as a blob`,
    path: ['size'],
  });
export type OutputRef = z.infer<typeof OutputRef>;

/**
 * A relative file path inside a task's directory. Never absolute, never `..`: providers
 * and requesters are untrusted and these names reach file systems.
 */
export const RelativePath = z
  .string()
  .min(1)
  .max(255)
  .regex(
    /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/,
    'must be a relative path of [A-Za-z0-9._-] segments',
  )
  .refine(
    (p) => !p.split('/').some((seg) => seg === '.' || seg === '..'),
    'must not contain . or .. segments',
  );
