/**
 * @module
 * The error classes shared by coordinator, SDK and agent. The coordinator throws them,
 * the HTTP layer turns them into `{ error: { code, message, details } }`, and the SDK
 * rebuilds the same class from that body, so callers can `instanceof` across the wire.
 */

import { CREDIT_MICROS } from './credit.js';
import { ErrorCode, RETRYABLE_CODES } from './error-codes.js';

/** Wire shape of every error response body. */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: unknown;
  };
}

/** Base of all Anygrid errors: a stable code, a human sentence and optional machine details. */
export class AnygridError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
    this.retryable = RETRYABLE_CODES.has(code);
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

/** The request does not match its schema. */
export class InvalidRequestError extends AnygridError {
  constructor(message: string, details?: unknown) {
    super(ErrorCode.INVALID_REQUEST, message, details);
  }
}

/** Missing or unknown credentials. */
export class UnauthenticatedError extends AnygridError {
  constructor(message = 'A valid token is required: send "Authorization: Bearer <token>".') {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}

/** The caller's role or account may not do this. */
export class ForbiddenError extends AnygridError {
  constructor(message: string, details?: unknown) {
    super(ErrorCode.FORBIDDEN, message, details);
  }
}

/** The resource is absent or not visible to the caller (we do not tell which). */
export class NotFoundError extends AnygridError {
  constructor(resource: string, id: string | number) {
    super(ErrorCode.NOT_FOUND, `No ${resource} ${id} is visible to this token.`, { resource, id });
  }
}

/** Uploaded bytes do not match their content address. */
export class HashMismatchError extends AnygridError {
  constructor(expected: string, actual: string) {
    super(
      ErrorCode.HASH_MISMATCH,
      `The uploaded bytes hash to ${actual}, not ${expected}; upload to /v1/blobs/<sha256 of the bytes>.`,
      { expected, actual },
    );
  }
}

/** A request names blobs the coordinator does not hold. */
export class BlobMissingError extends AnygridError {
  constructor(hashes: readonly string[]) {
    super(
      ErrorCode.BLOB_MISSING,
      `${hashes.length} referenced blob(s) were never uploaded; PUT them to /v1/blobs/<hash> first.`,
      { hashes: hashes.slice(0, 20) },
    );
  }
}

/** A job's module signature does not verify: wrong key, wrong module, or damaged. */
export class SignatureInvalidError extends AnygridError {
  constructor(moduleHash: string, publicKey: string) {
    super(
      ErrorCode.SIGNATURE_INVALID,
      `The signature does not verify for module sha256:${moduleHash} under key ${publicKey}; sign this module's hash with that key (anygrid sign MODULE --key FILE).`,
      { moduleHash, publicKey },
    );
  }
}

/** A provider named a host the coordinator does not know. */
export class HostUnknownError extends AnygridError {
  constructor(hostId: number) {
    super(
      ErrorCode.HOST_UNKNOWN,
      `Host ${hostId} is not known to this coordinator; register again with POST /v1/hosts.`,
      {
        hostId,
      },
    );
  }
}

/** The account may not register another host: it has as many active ones as allowed. */
export class HostLimitError extends AnygridError {
  constructor(limit: number) {
    super(
      ErrorCode.HOST_LIMIT,
      `This account already has ${limit} active host(s), the most this coordinator allows; restart an agent with its cache directory so it reuses its host id, or ask the admin to raise the limit.`,
      { limit },
    );
  }
}

/** A provider touched replicas that are not assigned to its host. */
export class NotAssignedError extends AnygridError {
  constructor(replicaIds: readonly number[]) {
    super(
      ErrorCode.NOT_ASSIGNED,
      `${replicaIds.length} replica(s) are not assigned to this host; nothing in the batch was applied.`,
      { replicaIds: replicaIds.slice(0, 50) },
    );
  }
}

/** A task depends on a task its job does not have (yet): parents come before or with their children. */
export class TaskDependencyUnknownError extends AnygridError {
  constructor(task: number, parent: number) {
    super(
      ErrorCode.TASK_DEPENDENCY_UNKNOWN,
      `Task ${task} depends on task ${parent}, which the job does not have: name tasks sent before or in the same request (indexes count from 0 over the whole job).`,
      { task, parent },
    );
  }
}

/** The tasks' dependencies form a cycle. */
export class TaskGraphCycleError extends AnygridError {
  constructor(tasks: readonly number[]) {
    const shown = tasks.slice(0, 20);
    const path = [...shown, shown[0]].join(' -> ');
    super(
      ErrorCode.TASK_GRAPH_CYCLE,
      `Task ${tasks[0]} depends on itself through ${path}${tasks.length > shown.length ? ' …' : ''}; remove one of these dependencies.`,
      { task: tasks[0], cycle: shown },
    );
  }
}

/** The request conflicts with the current state. */
export class ConflictError extends AnygridError {
  constructor(message: string, details?: unknown) {
    super(ErrorCode.CONFLICT, message, details);
  }
}

/** A download asked for bytes the blob does not have; ask again from 0 or without a Range. */
export class RangeNotSatisfiableError extends AnygridError {
  constructor(range: string, size: number) {
    super(
      ErrorCode.RANGE_NOT_SATISFIABLE,
      `The range "${range}" is not within the blob's ${size} bytes; send "Range: bytes=N-" with N below ${size}, or no Range header.`,
      { range: range.slice(0, 100), size },
    );
  }
}

/** The job's retention ran out: its tasks and results were deleted (a tombstone keeps its id). */
export class JobPurgedError extends AnygridError {
  constructor(jobId: number, finishedAt: number | null, purgedAt: number) {
    const finished =
      finishedAt === null ? '' : ` (it finished ${new Date(finishedAt).toISOString()})`;
    super(
      ErrorCode.JOB_PURGED,
      `Job ${jobId} was purged at ${new Date(purgedAt).toISOString()}${finished}: the coordinator keeps finished jobs only for its retention period; its results are gone (ask the admin for the archive if one is kept).`,
      { jobId, finishedAt, purgedAt },
    );
  }
}

/** Too many requests of one kind from one address; the same request succeeds later. */
export class RateLimitedError extends AnygridError {
  constructor(what: string, retryAfterMs: number) {
    super(
      ErrorCode.RATE_LIMITED,
      `Too many ${what} from this address; try again in ${Math.ceil(retryAfterMs / 1000)} s.`,
      { retryAfterMs },
    );
  }
}

/** A paid job's reserve, a stake or a payout needs more than the account holds. */
export class InsufficientBalanceError extends AnygridError {
  constructor(what: string, balance: number, needed: number) {
    super(
      ErrorCode.INSUFFICIENT_BALANCE,
      `${what} needs ${credits(needed)} credits but the account holds ${credits(balance)}; nothing was reserved or moved.`,
      { balance, needed },
    );
  }
}

/** An idempotency key already used for a different money request. */
export class IdempotencyKeyReusedError extends AnygridError {
  constructor(key: string) {
    super(
      ErrorCode.IDEMPOTENCY_KEY_REUSED,
      `The idempotency key ${JSON.stringify(key)} was used for a different request; use a new key for a new request.`,
      { key },
    );
  }
}

// biome-ignore lint/suspicious/noExplicitAny: each subclass has its own friendly constructor.
const classByCode: Partial<Record<ErrorCode, abstract new (...args: any[]) => AnygridError>> = {
  [ErrorCode.INVALID_REQUEST]: InvalidRequestError,
  [ErrorCode.UNAUTHENTICATED]: UnauthenticatedError,
  [ErrorCode.FORBIDDEN]: ForbiddenError,
  [ErrorCode.NOT_FOUND]: NotFoundError,
  [ErrorCode.HASH_MISMATCH]: HashMismatchError,
  [ErrorCode.BLOB_MISSING]: BlobMissingError,
  [ErrorCode.SIGNATURE_INVALID]: SignatureInvalidError,
  [ErrorCode.NOT_ASSIGNED]: NotAssignedError,
  [ErrorCode.HOST_UNKNOWN]: HostUnknownError,
  [ErrorCode.HOST_LIMIT]: HostLimitError,
  [ErrorCode.CONFLICT]: ConflictError,
  [ErrorCode.RANGE_NOT_SATISFIABLE]: RangeNotSatisfiableError,
  [ErrorCode.TASK_DEPENDENCY_UNKNOWN]: TaskDependencyUnknownError,
  [ErrorCode.TASK_GRAPH_CYCLE]: TaskGraphCycleError,
  [ErrorCode.JOB_PURGED]: JobPurgedError,
  [ErrorCode.RATE_LIMITED]: RateLimitedError,
  [ErrorCode.INSUFFICIENT_BALANCE]: InsufficientBalanceError,
  [ErrorCode.IDEMPOTENCY_KEY_REUSED]: IdempotencyKeyReusedError,
};

/** The code an answer without an error body stands for, by its HTTP status. */
const BODYLESS: Partial<Record<number, ErrorCode>> = {
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  429: ErrorCode.RATE_LIMITED,
};

/** Rebuilds the error a coordinator sent as the same class, keeping code, message and details. */
export function errorFromBody(status: number, body: unknown): AnygridError {
  const err = (body as Partial<ErrorBody> | null)?.error;
  if (!err || typeof err.code !== 'string' || typeof err.message !== 'string') {
    // A HEAD answer has no body: its status alone must still name the mistake.
    const code =
      BODYLESS[status] ?? (status >= 500 ? ErrorCode.INTERNAL : ErrorCode.INVALID_REQUEST);
    const cls = classByCode[code] ?? AnygridError;
    const message = `The coordinator answered HTTP ${status} without an error body.`;
    return Reflect.construct(AnygridError, [code, message], cls) as AnygridError;
  }
  const known = (Object.values(ErrorCode) as string[]).includes(err.code);
  const code = known ? (err.code as ErrorCode) : ErrorCode.INTERNAL;
  // Construct through the base so each subclass's friendly constructor is bypassed
  // while `instanceof` and `name` still name the specific class.
  const cls = classByCode[code] ?? AnygridError;
  return Reflect.construct(AnygridError, [code, err.message, err.details], cls) as AnygridError;
}

/** Micro-credits as credits, as people write them (27.6, not 27600000). */
function credits(micros: number): string {
  return String(micros / CREDIT_MICROS);
}
