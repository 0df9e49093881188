/**
 * @module
 * Providers are untrusted: before a report reaches the store, every inline output is
 * decoded and re-hashed, every referenced blob must exist with the claimed size, and
 * the digest that decides agreement is computed here, never taken from the provider.
 */

import { createHash } from 'node:crypto';
import {
  BlobMissingError,
  InvalidRequestError,
  type OutputRef,
  type Report,
} from '@anygrid/protocol';
import type { BlobStore } from '../blobs/blob-store.js';
import { outputDigest } from '../policy/index.js';
import type { VerifiedReport } from '../store/store.js';

export async function verifyReports(
  blobs: BlobStore,
  reports: readonly Report[],
): Promise<VerifiedReport[]> {
  const missing: string[] = [];
  const check = async (ref: OutputRef | null, where: string): Promise<void> => {
    if (!ref) return;
    if (ref.data !== undefined) {
      const bytes = Buffer.from(ref.data, 'base64');
      const hash = createHash('sha256').update(bytes).digest('hex');
      if (bytes.byteLength !== ref.size || hash !== ref.hash) {
        throw new InvalidRequestError(`${where}: inline data does not match its size and hash.`, {
          path: where,
          claimed: { hash: ref.hash, size: ref.size },
          actual: { hash, size: bytes.byteLength },
        });
      }
      return;
    }
    const size = await blobs.size(ref.hash);
    if (size === null) missing.push(ref.hash);
    else if (size !== ref.size) {
      throw new InvalidRequestError(
        `${where}: blob ${ref.hash} has ${size} bytes, not ${ref.size}.`,
        { path: where },
      );
    }
  };

  const verified: VerifiedReport[] = [];
  for (const [i, r] of reports.entries()) {
    const at = `reports[${i}]`;
    await check(r.stdout, `${at}.stdout`);
    await check(r.stderr, `${at}.stderr`);
    for (const [name, ref] of Object.entries(r.files)) await check(ref, `${at}.files.${name}`);
    const success = r.status === 'success' && r.exitCode === 0 && r.error === null;
    verified.push({
      replicaId: r.replicaId,
      success,
      digest: success ? outputDigest(r) : null,
      exitCode: r.exitCode,
      stdout: r.stdout,
      stderr: r.stderr,
      files: r.files,
      error: success
        ? null
        : (r.error ?? { code: 'exit_code', message: `exit code ${r.exitCode}` }),
      durationMs: r.durationMs,
    });
  }
  if (missing.length > 0) throw new BlobMissingError(missing);
  return verified;
}
