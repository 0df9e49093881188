/**
 * @module Entry point of a browser sandbox Web Worker (a module worker): answers run
 * requests from the page, one at a time, until terminated.
 */
import { type RunRequest, resultTransferables, serveRunRequest } from '../worker-protocol.js';

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<RunRequest>) => void) | null;
  postMessage(message: unknown, transfer: Transferable[]): void;
};
scope.onmessage = (event) => {
  void serveRunRequest(event.data).then((response) =>
    scope.postMessage(response, resultTransferables(response.result)),
  );
};
