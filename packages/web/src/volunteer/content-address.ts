/**
 * @module
 * Checks that bytes are what their hash says: Web Crypto where the page is a secure
 * context (https, localhost), the runtime's plain-JavaScript SHA-256 elsewhere (a
 * coordinator on a LAN over http).
 */

import { sha256HexSync } from '@anygrid/runtime';

/** Lowercase hex sha256 of `bytes`. */
export async function sha256Of(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return sha256HexSync(bytes);
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** Bytes that do not hash to the address they were fetched from. */
export class HashMismatchError extends Error {
  constructor(
    readonly hash: string,
    actual: string,
  ) {
    super(`bytes fetched as ${hash} hash to ${actual}`);
    this.name = 'HashMismatchError';
  }
}
