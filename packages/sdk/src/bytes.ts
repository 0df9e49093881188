/**
 * @module
 * Byte conversions the SDK needs without Node's `Buffer`: UTF-8 text and the base64 of
 * inline outputs (`OutputRef.data`).
 */

const encoder = new TextEncoder();
/** Decoding without `stream` keeps no state between calls, so one decoder serves all. */
const decoder = new TextDecoder('utf-8');

/** UTF-8 bytes of a string, or the bytes themselves. */
export function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value;
}

/** UTF-8 text of bytes; invalid sequences become U+FFFD rather than throwing. */
export function utf8(bytes: Uint8Array): string {
  return bytes.byteLength === 0 ? '' : decoder.decode(bytes);
}

/** Decodes standard base64 (as zod's `z.base64()` accepts it). */
export function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
