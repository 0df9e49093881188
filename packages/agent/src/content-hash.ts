/**
 * @module
 * The content address of bytes: lowercase hex sha256, as `@anygrid/protocol`'s `Sha256`.
 */

import { hash } from 'node:crypto';

/** One-shot `crypto.hash`: a fifth of the cost of a `createHash` object per output. */
export function sha256Hex(bytes: Uint8Array): string {
  return hash('sha256', bytes, 'hex');
}
