/**
 * @module
 * Providers are untrusted: before a report reaches the store, every inline output is
 * decoded and re-hashed, every referenced blob must exist with the claimed size, and
 * the digest that decides agreement is computed here, never taken from the provider.
 *
 * Inline outputs are checked synchronously and blob sizes are looked up only for the
 * outputs that reference one: a batch of a thousand tiny reports costs no awaits.
 */

import { hash } from 'node:crypto';
import {
  BlobMissingError,
  InvalidRequestError,
  type OutputRef,
  type Report,
} from '@anygrid/protocol';
import type { BlobStore } from '../blobs/blob-store.js';
import { outputDigest } from '../policy/index.js';
import type { VerifiedReport } from '../store/store.js';

/** sha256 of no bytes: empty stderr is the common case and needs no hashing. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * Throws unless inline data matches its claimed size and hash; false when the bytes live
 * in a blob. `where` names the output for the error (built only then: ~1 µs a report).
 */
function checkInline(ref: OutputRef, where: () => string): boolean {
  if (ref.data === undefined) return false;
  let size = 0;
  let actual = EMPTY_SHA256;
  if (ref.data !== '') {
    const bytes = Buffer.from(ref.data, 'base64');
    size = bytes.byteLength;
    actual = hash('sha256', bytes, 'hex');
  }
  if (size !== ref.size || actual !== ref.hash) {
    throw new InvalidRequestError(`${where()}: inline data does not match its size and hash.`, {
      path: where(),
      claimed: { hash: ref.hash, size: ref.size },
      actual: { hash: actual, size },
    });
  }
  return true;
}

export async function verifyReports(
  blobs: BlobStore,
  reports: readonly Report[],
): Promise<VerifiedReport[]> {
  const referenced: Array<{ ref: OutputRef; where: string }> = [];
  const check = (ref: OutputRef | null, i: number, field: string): void => {
    const where = () => `reports[${i}].${field}`;
    if (ref && !checkInline(ref, where)) referenced.push({ ref, where: where() });
  };

  const verified: VerifiedReport[] = [];
  for (let i = 0; i < reports.length; i++) {
    const r = reports[i] as Report;
    check(r.stdout, i, 'stdout');
    check(r.stderr, i, 'stderr');
    for (const name in r.files) check(r.files[name] as OutputRef, i, `files.${name}`);
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

  const missing: string[] = [];
  for (const { ref, where } of referenced) {
    const size = await blobs.size(ref.hash);
    if (size === null) missing.push(ref.hash);
    else if (size !== ref.size) {
      throw new InvalidRequestError(
        `${where}: blob ${ref.hash} has ${size} bytes, not ${ref.size}.`,
        { path: where },
      );
    }
  }
  if (missing.length > 0) throw new BlobMissingError(missing);
  return verified;
}
