/**
 * @module
 * App variants (BOINC's plan classes): besides its wasm32-wasi module, which runs on every
 * host, a job may carry native builds of the same program for a platform (`linux-x64`,
 * `linux-arm64`), optionally marked as needing a GPU class, each with its own minimal
 * requirements. The coordinator picks per host the variant expected to be fastest
 * (docs/variants.md); an assignment names the native build it must run in `variant`, and
 * runs the job's wasm module when it names none. Native variants run only on agents
 * started with `--allow-native` that found bubblewrap working: such a host registers the
 * `native` runtime and runs native builds of its own platform.
 */

import { z } from 'zod';
import { BlobRef } from './content.js';
import { ModuleSignature } from './module-signature.js';

/** The key of the job's wasm32-wasi module among its variants (and on replicas that ran it). */
export const WASM_VARIANT = 'wasm32-wasi';

/** Platforms a native variant may be built for, spelled as hosts report theirs. */
export const NativePlatform = z.enum(['linux-x64', 'linux-arm64']);
export type NativePlatform = z.infer<typeof NativePlatform>;

/** Accelerator classes a native variant may need. */
export const GpuClass = z.enum(['cuda']);
export type GpuClass = z.infer<typeof GpuClass>;

/** What a host must have for a variant to be sent to it (beyond its platform). */
export const VariantRequirements = z.strictObject({
  /** Least memory the host reports, in bytes. */
  minMemoryBytes: z.number().int().min(0).optional(),
  /** Least cores the host reports. */
  minCores: z.number().int().min(1).max(4096).optional(),
});
export type VariantRequirements = z.infer<typeof VariantRequirements>;

/** Most native variants one job may carry. */
export const MAX_VARIANTS = 8;

/** One native build of a job's program. */
export const JobVariant = z.strictObject({
  platform: NativePlatform,
  /** The native executable (an ELF file for the platform), uploaded beforehand. */
  module: BlobRef,
  /** The accelerator class it needs; absent: none. */
  gpu: GpuClass.optional(),
  requirements: VariantRequirements.optional(),
  /**
   * The publisher's signature of the executable's hash, as `signature` signs the wasm
   * module's. Required when the job is signed: an agent that runs only signed modules
   * runs only signed native builds.
   */
  signature: ModuleSignature.optional(),
});
export type JobVariant = z.infer<typeof JobVariant>;

/** The native variants of a job: at most one per platform and GPU class. */
export const JobVariants = z
  .array(JobVariant)
  .min(1)
  .max(MAX_VARIANTS)
  .refine((vs) => new Set(vs.map(variantKey)).size === vs.length, {
    message: 'at most one variant per platform and gpu class',
  });

/** The stable key of a variant: `linux-x64`, `linux-x64+cuda`; `wasm32-wasi` for the wasm module. */
export function variantKey(v: Pick<JobVariant, 'platform' | 'gpu'>): string {
  return v.gpu === undefined ? v.platform : `${v.platform}+${v.gpu}`;
}

/** The native build an assignment runs instead of the job's wasm module. */
export const VariantRun = z.strictObject({
  /** Its key (`variantKey`), as the replica's view shows it. */
  key: z.string().min(1).max(64),
  platform: NativePlatform,
  module: BlobRef,
  gpu: GpuClass.optional(),
  signature: ModuleSignature.optional(),
});
export type VariantRun = z.infer<typeof VariantRun>;

/** A variant as the job's view shows it, with the runs measured so far. */
export const VariantView = z.strictObject({
  key: z.string(),
  platform: z.string(),
  module: BlobRef,
  gpu: GpuClass.optional(),
  requirements: VariantRequirements.optional(),
  /** Successful runs reported so far and their mean run time (null before the first). */
  runs: z.strictObject({ count: z.number().int(), meanMs: z.number().nullable() }),
});
export type VariantView = z.infer<typeof VariantView>;
