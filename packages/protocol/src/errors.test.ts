import { describe, expect, it } from 'vitest';
import { ErrorCode } from './error-codes.js';
import { errorFromBody, NotFoundError, UnauthenticatedError } from './errors.js';

describe('errorFromBody', () => {
  it('rebuilds a coded error as its own class', () => {
    const e = errorFromBody(404, { error: { code: 'NOT_FOUND', message: 'No job 9.' } });
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.message).toBe('No job 9.');
  });

  it('names the mistake of an answer without a body (a HEAD) by its status', () => {
    expect(errorFromBody(401, null)).toBeInstanceOf(UnauthenticatedError);
    expect(errorFromBody(403, null).code).toBe(ErrorCode.FORBIDDEN);
    expect(errorFromBody(404, null).code).toBe(ErrorCode.NOT_FOUND);
    expect(errorFromBody(400, null).code).toBe(ErrorCode.INVALID_REQUEST);
    expect(errorFromBody(502, null).code).toBe(ErrorCode.INTERNAL);
  });
});
