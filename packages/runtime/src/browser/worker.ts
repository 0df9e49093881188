/**
 * @module Entry point of a browser sandbox Web Worker (a module worker): answers run
 * messages from the page, running tasks one at a time and in order, until terminated.
 */
import { createRequestHandler, type HostMessage } from '../worker-protocol.js';

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<HostMessage>) => void) | null;
  postMessage(message: unknown, transfer: Transferable[]): void;
};
const handle = createRequestHandler((response, transfer) => scope.postMessage(response, transfer));
scope.onmessage = (event) => handle(event.data);
