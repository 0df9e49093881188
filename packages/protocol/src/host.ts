/**
 * @module
 * What a provider's device says about itself when it joins: platform, cores, memory and
 * which runtimes it offers. The coordinator uses it for matching, never for trust.
 */

import { z } from 'zod';
import { BlobHashes } from './locality.js';

export const Platform = z
  .string()
  .regex(/^[a-z0-9]+-[a-z0-9_]+$/, 'like linux-x64 or browser-wasm');

/** A runtime a host offers. */
export const HostRuntime = z.enum(['wasm32-wasi', 'native']);
export type HostRuntime = z.infer<typeof HostRuntime>;

export const RegisterHostRequest = z.strictObject({
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
});
export type RegisterHostRequest = z.infer<typeof RegisterHostRequest>;
export type RegisterHostRequestInput = z.input<typeof RegisterHostRequest>;

export const RegisterHostResponse = z.strictObject({
  hostId: z.number().int(),
  /** Suggested interval between heartbeats for leases to stay fresh. */
  heartbeatMs: z.number().int(),
});
export type RegisterHostResponse = z.infer<typeof RegisterHostResponse>;
