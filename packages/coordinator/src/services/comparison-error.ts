/**
 * @module
 * Why a comparison could not be made: an output blob is gone or too large to read, or
 * the validator failed (looped, crashed, answered garbage). The task ends `no_consensus`.
 */

export class ComparisonError extends Error {
  override readonly name = 'ComparisonError';
}
