/**
 * @module
 * The one place errors become HTTP answers: our codes map to statuses in a single
 * table; framework errors (bad JSON, oversize bodies, wrong content type) get our codes
 * too; anything else is a logged 500 INTERNAL that reveals nothing.
 */

import { AnygridError, type ErrorBody, ErrorCode } from '@anygrid/protocol';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

export const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  INVALID_REQUEST: 400,
  MALFORMED_JSON: 400,
  HASH_MISMATCH: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_ASSIGNED: 403,
  NOT_FOUND: 404,
  HOST_UNKNOWN: 404,
  HOST_LIMIT: 403,
  ROUTE_NOT_FOUND: 404,
  CONFLICT: 409,
  JOB_PURGED: 410,
  INSUFFICIENT_BALANCE: 402,
  IDEMPOTENCY_KEY_REUSED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  RATE_LIMITED: 429,
  BLOB_MISSING: 422,
  SIGNATURE_INVALID: 422,
  TASK_DEPENDENCY_UNKNOWN: 422,
  TASK_GRAPH_CYCLE: 422,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

/** Fastify's own error codes, translated into ours. */
const FRAMEWORK_CODES: Readonly<Record<string, [ErrorCode, string]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [
    ErrorCode.PAYLOAD_TOO_LARGE,
    'The request body is larger than this endpoint accepts.',
  ],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    'Unsupported content type: send application/json (or application/octet-stream to /v1/blobs).',
  ],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
    ErrorCode.INVALID_REQUEST,
    'The content-length header does not match the body.',
  ],
  FST_ERR_CTP_EMPTY_JSON_BODY: [ErrorCode.MALFORMED_JSON, 'The body is empty; send a JSON object.'],
  FST_ERR_CTP_INVALID_JSON_BODY: [ErrorCode.MALFORMED_JSON, 'The body is not valid JSON.'],
};

export function toAnygridError(err: unknown): AnygridError | null {
  if (err instanceof AnygridError) return err;
  const fe = err as Partial<FastifyError>;
  const mapped = fe.code ? FRAMEWORK_CODES[fe.code] : undefined;
  if (mapped) return new AnygridError(mapped[0], mapped[1]);
  // Fastify's JSON parser reports syntax errors as a plain 400 SyntaxError.
  if (fe.statusCode === 400 && (err instanceof SyntaxError || /JSON/i.test(fe.message ?? ''))) {
    return new AnygridError(ErrorCode.MALFORMED_JSON, `The body is not valid JSON: ${fe.message}`);
  }
  if (fe.statusCode === 413)
    return new AnygridError(ErrorCode.PAYLOAD_TOO_LARGE, 'The request body is too large.');
  if (fe.statusCode === 415)
    return new AnygridError(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      fe.message ?? 'Unsupported media type.',
    );
  return null;
}

export function sendError(
  err: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const known = toAnygridError(err);
  if (known) {
    const retryAfterMs = (known.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
    if (known.code === ErrorCode.RATE_LIMITED && typeof retryAfterMs === 'number')
      reply.header('retry-after', String(Math.ceil(retryAfterMs / 1000)));
    return reply.status(STATUS_BY_CODE[known.code]).send(known.toBody());
  }
  request.log.error({ err }, 'unhandled error');
  const body: ErrorBody = {
    error: { code: ErrorCode.INTERNAL, message: 'An internal error occurred; it has been logged.' },
  };
  return reply.status(500).send(body);
}
