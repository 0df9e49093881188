/**
 * @module
 * The stable, machine-readable error codes every Anygrid component speaks. A shipped
 * code never changes meaning: clients branch on these strings, humans read the message.
 */

export const ErrorCode = {
  /** The body or query failed schema validation (wrong type, unknown field, bad range). */
  INVALID_REQUEST: 'INVALID_REQUEST',
  /** The body is not parseable JSON. */
  MALFORMED_JSON: 'MALFORMED_JSON',
  /** The body is larger than the endpoint accepts. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The body's content type is not one the endpoint accepts. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** No token, or a token the coordinator does not know. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The token is valid but its role or account may not do this. */
  FORBIDDEN: 'FORBIDDEN',
  /** The resource does not exist, or belongs to another account. */
  NOT_FOUND: 'NOT_FOUND',
  /** An upload's bytes do not hash to the address it was sent to. */
  HASH_MISMATCH: 'HASH_MISMATCH',
  /** A job's module signature does not verify against its key and the module's hash. */
  SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  /** A request refers to a blob that was never uploaded. */
  BLOB_MISSING: 'BLOB_MISSING',
  /** The host id is not known (e.g. the coordinator's store was reset): register again. */
  HOST_UNKNOWN: 'HOST_UNKNOWN',
  /** The account already has as many active hosts as the coordinator allows; reuse one (send its hostId). */
  HOST_LIMIT: 'HOST_LIMIT',
  /** A provider reported or extended a replica that is not assigned to its host. */
  NOT_ASSIGNED: 'NOT_ASSIGNED',
  /** A task's `dependsOn` names a task that is neither sent before nor in the same request. */
  TASK_DEPENDENCY_UNKNOWN: 'TASK_DEPENDENCY_UNKNOWN',
  /** The tasks' `dependsOn` form a cycle: none of them could ever start. */
  TASK_GRAPH_CYCLE: 'TASK_GRAPH_CYCLE',
  /** The request conflicts with the resource's state (e.g. cancelling a finished job). */
  CONFLICT: 'CONFLICT',
  /** A blob download asked for a byte range outside the blob (HTTP 416). */
  RANGE_NOT_SATISFIABLE: 'RANGE_NOT_SATISFIABLE',
  /**
   * The job finished longer ago than the coordinator's retention and its tasks and results
   * were deleted (details: `jobId`, `finishedAt`, `purgedAt`); only its id is remembered.
   */
  JOB_PURGED: 'JOB_PURGED',
  /**
   * Too many requests of this kind from this address (details: `retryAfterMs`); try again
   * after that long (the `Retry-After` header says it in seconds).
   */
  RATE_LIMITED: 'RATE_LIMITED',
  /**
   * A paid job's maximum cost is more than the account's balance (details: `balance`,
   * `needed`, in micro-credits); nothing was written. Credit the account or lower the
   * job's ceiling, budget or size.
   */
  INSUFFICIENT_BALANCE: 'INSUFFICIENT_BALANCE',
  /** A money request reused an idempotency key of a different request; nothing was done. */
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  /** The route does not exist. */
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  /** The coordinator is shutting down or overloaded; retry later. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** A bug on the coordinator's side; it has been logged. */
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes after which the same request may succeed if simply retried later. */
export const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.UNAVAILABLE,
  ErrorCode.INTERNAL,
  ErrorCode.RATE_LIMITED,
]);
