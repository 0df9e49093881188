/**
 * @module Entry point of a Node sandbox worker thread: answers run messages from the
 * host, one at a time and in order, until terminated.
 */
import { parentPort } from 'node:worker_threads';
import { createRequestHandler } from '../worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('@anygrid/runtime node worker must run in a worker thread');
port.on(
  'message',
  createRequestHandler((response, transfer) => port.postMessage(response, transfer), setImmediate),
);
