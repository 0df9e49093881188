/**
 * @module
 * A throwaway HTTP server on 127.0.0.1 for the SDK's client tests, closed after each test.
 * Test-only (Node): nothing in the SDK imports it, and the build leaves it out.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

/** Serves `handler` on a free port; resolves to the base URL. */
export async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes the server now, so its port refuses connections. */
export async function closeServer(): Promise<void> {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
}
