/**
 * @module
 * Turning `submit`'s `module` option into bytes: a path read from disk in Node, a URL
 * fetched in a browser, or bytes as given.
 */

import { InvalidRequestError } from '@anygrid/protocol';

/** Loads a module given as a path (Node) or URL (browser). */
export async function loadModule(source: string): Promise<Uint8Array> {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (isNode && !/^https?:\/\//.test(source)) {
    const { readFileBytes } = await import('./node/read-file.js');
    try {
      return await readFileBytes(source);
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'error';
      throw new InvalidRequestError(`Cannot read the module at ${source} (${code}).`, {
        path: source,
      });
    }
  }
  const res = await fetch(source);
  if (!res.ok) {
    throw new InvalidRequestError(`Cannot fetch the module at ${source} (HTTP ${res.status}).`, {
      url: source,
    });
  }
  return new Uint8Array(await res.arrayBuffer());
}
