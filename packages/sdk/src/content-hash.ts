/**
 * @module
 * Content addresses: the lowercase hex sha256 of a blob's bytes, computed with WebCrypto
 * (`crypto.subtle`), which Node 20 and every browser provide, so the SDK needs no
 * `node:crypto`.
 */

/** Lowercase hex sha256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  const out = new Uint8Array(digest);
  let hex = '';
  for (const b of out) hex += b.toString(16).padStart(2, '0');
  return hex;
}
