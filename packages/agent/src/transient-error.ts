/**
 * @module
 * The one distinction every retry in the agent rests on: a failure that may go away by
 * itself (the coordinator is restarting, unreachable, overloaded or had a 5xx) versus a
 * client error that will fail the same way every time it is sent (4xx). The coordinator
 * client throws `TransientError` for the first kind and the protocol's `AnygridError`
 * (rebuilt from the error body) for the second.
 */

import { AnygridError } from '@anygrid/protocol';

/** A request that may succeed if simply retried later; `cause` holds what happened. */
export class TransientError extends Error {
  /** HTTP status, or undefined when no answer came at all (refused, reset, timed out). */
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'TransientError';
    this.status = options.status;
  }
}

/** True when retrying the same request later may succeed. */
export function isTransient(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  if (error instanceof AnygridError) return error.retryable;
  return false;
}

/** HTTP statuses after which a request is retried: throttling, timeouts and server errors. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * What a log says of a failure: a transient one (a coordinator restarting, a failover)
 * by its name and message only, since its stack and chain of causes would fill a
 * terminal at every routine outage; any other with everything, to be looked into. The
 * brief one is still an error of its class, so that a logger's error serializer names its
 * type (not `Object`), and its stack is the one line that says what happened.
 */
export function loggedError(error: unknown): unknown {
  if (!isTransient(error) || !(error instanceof Error)) return error;
  const brief = Object.create(Object.getPrototypeOf(error)) as Error;
  return Object.assign(brief, {
    name: error.name,
    message: error.message,
    stack: `${error.name}: ${error.message}`,
  });
}
