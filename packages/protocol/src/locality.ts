/**
 * @module
 * Data locality: which large blobs a provider already holds. Agents tell the coordinator
 * when they register (their whole inventory) and then in their work requests (what they
 * gained and lost since, and now and then the whole inventory again), so the scheduler
 * can send a task to a host that will not have to download its inputs. Only blobs of at
 * least `LOCALITY_BLOB_BYTES` are reported: a smaller one costs less to fetch than a
 * scheduling detour, and the lists stay short.
 */

import { z } from 'zod';
import { Sha256 } from './content.js';

/** Blobs smaller than this are not worth reporting or scheduling for. */
export const LOCALITY_BLOB_BYTES = 1024 * 1024;

/** Most hashes one inventory or one delta list may carry. */
export const MAX_REPORTED_BLOBS = 4096;

/** A list of held blobs, by hash. */
export const BlobHashes = z.array(Sha256).max(MAX_REPORTED_BLOBS);

/**
 * What a host's cache gained (`held`) and lost (`dropped`) since its last report; with
 * `full`, `held` is the whole inventory and replaces what the coordinator knew.
 */
export const BlobInventoryDelta = z.strictObject({
  held: BlobHashes.default([]),
  dropped: BlobHashes.default([]),
  full: z.boolean().default(false),
  /**
   * The host's download speed in bytes per second, as it measured its recent downloads
   * of large blobs; weighed against waiting for a host that holds a task's inputs.
   */
  bandwidth: z.number().min(1000).max(1e11).optional(),
});
export type BlobInventoryDelta = z.infer<typeof BlobInventoryDelta>;
export type BlobInventoryDeltaInput = z.input<typeof BlobInventoryDelta>;

/** The query of a blob download: the downloading host, for per-host transfer metrics. */
export const BlobDownloadQuery = z.strictObject({
  host: z.coerce.number().int().positive().optional(),
});
export type BlobDownloadQuery = z.infer<typeof BlobDownloadQuery>;
