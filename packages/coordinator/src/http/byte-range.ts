/**
 * @module
 * The `Range` header of a blob download (RFC 9110 §14), reduced to what resuming a
 * transfer needs: one range of bytes. `bytes=N-` (the rest from N), `bytes=N-M` and
 * `bytes=-S` (the last S bytes) are served as 206; a range that starts past the end or
 * does not parse is refused (416), so a client never mistakes a whole body for the tail
 * it asked for. Several ranges at once and units other than bytes are ignored and the
 * whole blob is sent (the RFC allows a server to ignore a Range header); blobs are
 * content-addressed and never change, so If-Range has nothing to guard.
 */

/** What to send for one request. `end` is inclusive, as in Content-Range. */
export type ByteRange =
  | { readonly kind: 'whole' }
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' };

const WHOLE: ByteRange = { kind: 'whole' };
const UNSATISFIABLE: ByteRange = { kind: 'unsatisfiable' };
const ONE_RANGE = /^bytes=[ \t]*(\d*)-(\d*)[ \t]*$/;

/** The range to send of a blob of `size` bytes, given the request's Range header. */
export function byteRange(header: string | undefined, size: number): ByteRange {
  if (header === undefined) return WHOLE;
  const value = header.trim();
  if (!/^bytes=/i.test(value)) return WHOLE;
  if (value.includes(',')) return WHOLE;
  const m = ONE_RANGE.exec(value.replace(/^bytes=/i, 'bytes='));
  if (!m) return UNSATISFIABLE;
  const [, first = '', last = ''] = m;
  if (first === '') return suffix(last, size);
  const start = Number(first);
  if (!Number.isSafeInteger(start) || start >= size) return UNSATISFIABLE;
  if (last === '') return { kind: 'partial', start, end: size - 1 };
  const end = Number(last);
  if (!Number.isSafeInteger(end) || end < start) return UNSATISFIABLE;
  return { kind: 'partial', start, end: Math.min(end, size - 1) };
}

/** `bytes=-S`: the last S bytes (all of them when S is larger than the blob). */
function suffix(length: string, size: number): ByteRange {
  const n = Number(length);
  if (length === '' || !Number.isSafeInteger(n) || n === 0 || size === 0) return UNSATISFIABLE;
  return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
}

/** The Content-Range value of a served range, or of a refusal (`bytes *\/size`). */
export function contentRange(range: ByteRange, size: number): string {
  return range.kind === 'partial' ? `bytes ${range.start}-${range.end}/${size}` : `bytes */${size}`;
}
