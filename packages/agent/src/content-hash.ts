/**
 * @module
 * The content address of bytes: lowercase hex sha256, as `@anygrid/protocol`'s `Sha256`.
 */

import { createHash } from 'node:crypto';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
