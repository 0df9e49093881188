/**
 * @module
 * `@anygrid/agent/browser`: the parts of the provider agent that run in a web page
 * (the volunteer page), so a browser host speaks the provider protocol through the very
 * code the Node agent uses — the typed client with its checked answers, the report
 * encoding and the heartbeat — rather than a second copy of the wire format. Nothing
 * here imports `node:`; `#content-hash` resolves to its browser version under a
 * bundler's `browser` condition.
 */

export { Backoff, type BackoffPolicy, RECONNECT_BACKOFF } from './backoff.js';
export {
  BlobIntegrityError,
  CoordinatorClient,
  type CoordinatorClientOptions,
} from './coordinator-client.js';
export { FetchJson } from './fetch-json.js';
export { Heartbeat, type HeartbeatOptions } from './heartbeat.js';
export { type JsonTransport, NoAnswerError } from './no-answer-error.js';
export { type OutgoingReport, reportFailure, reportRun } from './output-encoding.js';
export { isTransient, TransientError } from './transient-error.js';
