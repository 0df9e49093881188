import {
  AnygridError,
  ErrorCode,
  InvalidRequestError,
  NotAssignedError,
  UnauthenticatedError,
} from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { judgeBatchFailure } from './batch-failure.js';
import { TransientError } from './transient-error.js';

describe('judgeBatchFailure', () => {
  it('retries a batch the coordinator could not take (down, 5xx, UNAVAILABLE)', () => {
    const refused = new TransientError('connect ECONNREFUSED');
    const unavailable = new AnygridError(ErrorCode.UNAVAILABLE, 'shutting down');
    expect(judgeBatchFailure(refused, [1, 2])).toEqual({ action: 'retry', slow: false });
    expect(judgeBatchFailure(unavailable, [1, 2])).toEqual({ action: 'retry', slow: false });
  });

  it('drops the replicas NOT_ASSIGNED names and only those in the batch', () => {
    const err = new NotAssignedError([2, 99]);
    expect(judgeBatchFailure(err, [1, 2, 3])).toEqual({ action: 'drop', replicaIds: [2] });
  });

  it('splits a batch refused as NOT_ASSIGNED without naming any of its replicas', () => {
    const err = new AnygridError(ErrorCode.NOT_ASSIGNED, 'no', {});
    expect(judgeBatchFailure(err, [1, 2, 3])).toEqual({ action: 'split' });
  });

  it('splits a batch on other client errors, and drops a lone report still refused', () => {
    const err = new InvalidRequestError('bad report');
    expect(judgeBatchFailure(err, [1, 2])).toEqual({ action: 'split' });
    expect(judgeBatchFailure(err, [7])).toEqual({ action: 'drop', replicaIds: [7] });
  });

  it('never drops reports because the token was refused; it retries slowly', () => {
    expect(judgeBatchFailure(new UnauthenticatedError(), [7])).toEqual({
      action: 'retry',
      slow: true,
    });
  });

  it('retries slowly after a failure it does not understand', () => {
    expect(judgeBatchFailure(new Error('boom'), [7])).toEqual({ action: 'retry', slow: true });
  });
});
