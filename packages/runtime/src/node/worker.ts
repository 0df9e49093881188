/**
 * @module Entry point of a Node sandbox worker thread: answers run requests from the
 * host, one at a time, until terminated.
 */
import { parentPort } from 'node:worker_threads';
import { type RunRequest, resultTransferables, serveRunRequest } from '../worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('@anygrid/runtime node worker must run in a worker thread');
port.on('message', (request: RunRequest) => {
  void serveRunRequest(request).then((response) =>
    port.postMessage(response, resultTransferables(response.result)),
  );
});
