/**
 * @module
 * Reading a module from a file path, for `submit({ module: 'examples/prime.wasm' })` in
 * Node. It is the SDK's only `node:` import, loaded dynamically so that browsers never
 * evaluate it.
 */

import { readFile } from 'node:fs/promises';

/** The bytes of the file at `path` (relative to the working directory). */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  const buf = await readFile(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
