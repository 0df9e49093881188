/**
 * @module
 * What a provider's device says about itself when it joins: platform, cores, memory, free
 * disk, its speed on the standard benchmark, accelerators, region and which runtimes it
 * offers. The coordinator uses it for matching and placement, never for trust: a host that
 * overstates itself gets work it cannot finish in time, and its record shows it.
 */

import { z } from 'zod';
import { BlobHashes } from './locality.js';
import { Asks } from './pricing.js';

export const Platform = z
  .string()
  .regex(/^[a-z0-9]+-[a-z0-9_]+$/, 'like linux-x64 or browser-wasm');

/** A compute accelerator: an NVIDIA GPU (`cuda`, from nvidia-smi) or a browser's WebGPU adapter. */
export const Accelerator = z.strictObject({
  kind: z.enum(['cuda', 'webgpu']),
  name: z.string().min(1).max(200),
  /** Device memory, where known. */
  memoryBytes: z.number().int().min(0).optional(),
});
export type Accelerator = z.infer<typeof Accelerator>;

/** A region the provider declares, like `eu-west` or `home-lab`: lower case, digits and dashes. */
export const Region = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes, like eu-west');

/**
 * What a host may say again in a heartbeat when it changed: its free disk, and its speed
 * when the agent ran the benchmark again.
 */
export const HostUpdate = z.strictObject({
  /** Bytes free where the agent keeps its cache and work. */
  freeDiskBytes: z.number().int().min(0).optional(),
  /**
   * Operations per second on the standard WASM benchmark (the agent's `benchmark.ts`),
   * so that speeds compare across hosts.
   */
  speed: z.number().positive().max(1e15).optional(),
  /** What the provider asks per unit of resource (pricing.ts); absent at registration: zero, a volunteer. */
  asks: Asks.optional(),
});
export type HostUpdate = z.infer<typeof HostUpdate>;
/** A runtime a host offers. */
export const HostRuntime = z.enum(['wasm32-wasi', 'native']);
export type HostRuntime = z.infer<typeof HostRuntime>;

export const RegisterHostRequest = z.strictObject({
  ...HostUpdate.shape,
  name: z.string().min(1).max(200),
  platform: Platform,
  cores: z.number().int().min(1).max(4096),
  memoryBytes: z.number().int().min(0),
  slots: z.number().int().min(1).max(1024),
  /**
   * `wasm32-wasi` always; `native` from an agent started with `--allow-native` that found
   * its sandbox (bubblewrap) working: it runs native variants built for its `platform`
   * (docs/variants.md).
   */
  runtimes: z.array(HostRuntime).min(1).default(['wasm32-wasi']),
  agentVersion: z.string().max(50).optional(),
  /** A host id this device had before; re-used when it belongs to the same account. */
  hostId: z.number().int().positive().optional(),
  /**
   * With `hostId`: the replicas this device still holds after a restart (finished
   * results it kept on disk, work it will still run). Every other replica in progress on
   * the host is released at once, ready for other hosts, rather than waiting out its
   * deadline. Absent: the device holds nothing.
   */
  holding: z.array(z.number().int().positive()).max(10_000).optional(),
  /** Large blobs (`LOCALITY_BLOB_BYTES` and up) this device holds already, by hash. */
  blobs: BlobHashes.optional(),
  accelerators: z.array(Accelerator).max(16).optional(),
  region: Region.optional(),
});
export type RegisterHostRequest = z.infer<typeof RegisterHostRequest>;
export type RegisterHostRequestInput = z.input<typeof RegisterHostRequest>;

export const RegisterHostResponse = z.strictObject({
  hostId: z.number().int(),
  /** Suggested interval between heartbeats for leases to stay fresh. */
  heartbeatMs: z.number().int(),
});
export type RegisterHostResponse = z.infer<typeof RegisterHostResponse>;
