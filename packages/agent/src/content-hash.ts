/**
 * @module
 * The content address of bytes: lowercase hex sha256, as `@anygrid/protocol`'s `Sha256`,
 * and base64 for outputs sent inline. Node's version; a browser build gets
 * `content-hash-browser.ts` through the package's `#content-hash` import.
 */

import { hash } from 'node:crypto';

/** One-shot `crypto.hash`: a fifth of the cost of a `createHash` object per output. */
export function sha256Hex(bytes: Uint8Array): string {
  return hash('sha256', bytes, 'hex');
}

/** Base64 of `bytes` without copying them. */
export function base64Of(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
