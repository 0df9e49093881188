import { InvalidRequestError } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { policyOf } from './submit-options.js';

const REF = { hash: 'b'.repeat(64), size: 12 };

describe('policyOf with a comparator', () => {
  it('fills a numeric comparator with the schema defaults and keeps its tolerances', () => {
    const policy = policyOf({ module: REF, tasks: [], compare: { kind: 'numeric', relTol: 1e-6 } });
    expect(policy.compare).toEqual({
      kind: 'numeric',
      relTol: 1e-6,
      source: 'stdout',
      format: 'json',
    });
  });

  it('puts the validator module reference it is given in place of the source', () => {
    const bytes = new Uint8Array(12);
    const policy = policyOf(
      { module: REF, tasks: [], compare: { kind: 'validator', module: bytes, timeoutMs: 500 } },
      REF,
    );
    expect(policy.compare).toEqual({ kind: 'validator', module: REF, timeoutMs: 500 });
  });

  it('refuses a negative tolerance and a validator without a module, naming the field', () => {
    expect(() =>
      policyOf({ module: REF, tasks: [], compare: { kind: 'numeric', absTol: -1 } }),
    ).toThrow(/compare\.absTol/);
    expect(() =>
      policyOf({ module: REF, tasks: [], compare: { kind: 'validator', module: 'v.wasm' } }),
    ).toThrow(InvalidRequestError);
  });
});
