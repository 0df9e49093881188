import { InvalidRequestError } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { jobRequest, policyOf } from './submit-options.js';

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

describe('requirements and estimatedOps', () => {
  it('sends requirements beside the policy and the size estimate in it', () => {
    const options = {
      module: REF,
      tasks: [],
      requirements: { minMemoryBytes: 8 * 1024 ** 3, platforms: ['linux-x64'] },
      estimatedOps: 4e9,
    };
    const policy = policyOf(options);
    expect(policy.estimatedOps).toBe(4e9);
    const body = jobRequest(options, REF, policy, [{ args: [] }]);
    expect(body.requirements).toEqual(options.requirements);
    expect(body.policy).toEqual({ estimatedOps: 4e9 });
  });

  it('names the field when the estimate is out of range', () => {
    expect(() => policyOf({ module: REF, tasks: [], estimatedOps: -1 })).toThrow(/estimatedOps/);
  });
});
