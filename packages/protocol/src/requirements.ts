/**
 * @module
 * What a job (or one build of its program) needs of a host: platforms, memory, cores,
 * disk, benchmark speed, accelerators, regions and reputation. Every field is optional and
 * every field given must hold; the scheduler matches on them and the store checks them
 * again at assignment. `GET /v1/jobs/{id}/diagnostics` says, per field, how many connected
 * hosts fail it.
 */

import { z } from 'zod';
import { Accelerator, Platform, Region } from './host.js';

export const JobRequirements = z.strictObject({
  /** Any one of these platforms, like `linux-x64` or `browser-wasm`. */
  platforms: z.array(Platform).min(1).max(32).optional(),
  minMemoryBytes: z.number().int().min(0).optional(),
  minCores: z.number().int().min(1).max(4096).optional(),
  minDiskBytes: z.number().int().min(0).optional(),
  /** Operations per second on the standard WASM benchmark (`HostUpdate.speed`). */
  minSpeed: z.number().positive().optional(),
  /** Each of these accelerator kinds. */
  accelerators: z.array(Accelerator.shape.kind).min(1).max(4).optional(),
  /** Any one of these declared regions. */
  regions: z.array(Region).min(1).max(64).optional(),
  /** The lower bound of the host's reputation (`ReputationView.lowerBound`), in [0, 1). */
  minReputation: z.number().min(0).max(1).optional(),
});
export type JobRequirements = z.infer<typeof JobRequirements>;
