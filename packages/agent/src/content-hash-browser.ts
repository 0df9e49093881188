/**
 * @module
 * `content-hash.ts` for hosts without `node:crypto` and `Buffer` (a browser): the
 * runtime's plain-JavaScript SHA-256 (synchronous, so report encoding stays one code
 * path; Web Crypto's is async only) and `btoa` for base64. Chosen by the `browser`
 * condition of the package's `#content-hash` import.
 */

import { sha256HexSync } from '@anygrid/runtime';

/** Lowercase hex sha256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return sha256HexSync(bytes);
}

/** Base64 of `bytes` (inline outputs: at most `INLINE_OUTPUT_BYTES`). */
export function base64Of(bytes: Uint8Array): string {
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.byteLength; i += step) {
    binary += String.fromCharCode(...bytes.subarray(i, i + step));
  }
  return btoa(binary);
}
