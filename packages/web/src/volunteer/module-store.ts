/**
 * @module
 * Module bytes by hash, kept across visits in Cache Storage (where the page is a secure
 * context; elsewhere in memory only), so a volunteer downloads each app once. An entry
 * is checked against its hash again when read: the cache is the browser's, and a
 * corrupted or tampered entry must never run.
 */

import type { BlobRef } from '@anygrid/protocol';
import { HashMismatchError, sha256Of } from './content-address.js';

const CACHE_NAME = 'anygrid-modules-v1';

export class ModuleStore {
  private readonly memory = new Map<string, Promise<Uint8Array>>();

  /** The module's bytes: from memory, from Cache Storage, or `download` (then kept). */
  get(ref: BlobRef, download: () => Promise<Uint8Array>): Promise<Uint8Array> {
    let bytes = this.memory.get(ref.hash);
    if (!bytes) {
      bytes = this.load(ref, download);
      this.memory.set(ref.hash, bytes);
      // A failed download is not remembered: the next task tries again.
      bytes.catch(() => this.memory.delete(ref.hash));
    }
    return bytes;
  }

  private async load(ref: BlobRef, download: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const cache = await openCache();
    const key = `/anygrid-modules/${ref.hash}`;
    const hit = await cache?.match(key).catch(() => undefined);
    if (hit) {
      const bytes = new Uint8Array(await hit.arrayBuffer());
      if (bytes.byteLength === ref.size && (await sha256Of(bytes)) === ref.hash) return bytes;
      await cache?.delete(key);
    }
    const bytes = await download();
    const actual = await sha256Of(bytes);
    if (actual !== ref.hash) throw new HashMismatchError(ref.hash, actual);
    await cache?.put(key, new Response(bytes as Uint8Array<ArrayBuffer>)).catch(() => {
      // Storage full or refused: the module still runs, it is just fetched again next visit.
    });
    return bytes;
  }
}

async function openCache(): Promise<Cache | undefined> {
  if (!globalThis.caches) return undefined;
  return caches.open(CACHE_NAME).catch(() => undefined);
}
