import { describe, expect, it } from 'vitest';
import { agreementFacts, keyWithoutComparing, representatives } from './agreement.js';
import { decideTask } from './quorum.js';

const policy = { redundancy: 2, quorum: 2, maxErrors: 3, maxTotal: 6 };

describe('agreement keys', () => {
  it('makes the first answer its own representative and a byte-equal one share its key', () => {
    expect(keyWithoutComparing('d1', [])).toBe('d1');
    const others = [
      { id: 1, state: 'reported' as const, digest: 'd1', agreeKey: 'd1' },
      { id: 2, state: 'reported' as const, digest: 'd2', agreeKey: 'd1' },
    ];
    expect(keyWithoutComparing('d2', others)).toBe('d1');
    expect(keyWithoutComparing('d3', others)).toBeNull();
  });

  it('lists representatives oldest first: replicas keyed by their own digest', () => {
    const rs = [
      { id: 5, state: 'reported' as const, digest: 'b', agreeKey: 'b' },
      { id: 3, state: 'reported' as const, digest: 'a', agreeKey: 'a' },
      { id: 4, state: 'reported' as const, digest: 'c', agreeKey: 'a' },
      { id: 6, state: 'reported' as const, digest: 'd', agreeKey: null },
    ];
    expect(representatives(rs).map((r) => r.id)).toEqual([3, 5]);
  });

  it('keeps a task open while a reported replica awaits its comparison, then settles by key', () => {
    const pending = [
      { id: 1, state: 'reported' as const, digest: 'a', agreeKey: 'a' },
      { id: 2, state: 'reported' as const, digest: 'b', agreeKey: null },
    ];
    // Without the pending replica counted in flight, the task would make a third replica.
    expect(decideTask(policy, agreementFacts(pending))).toEqual({ kind: 'continue', create: 0 });
    const agreed = [pending[0], { ...pending[1], agreeKey: 'a' }] as typeof pending;
    expect(decideTask(policy, agreementFacts(agreed))).toMatchObject({
      kind: 'valid',
      digest: 'a',
      canonicalId: 1,
      validIds: [1, 2],
    });
    const differ = [pending[0], { ...pending[1], agreeKey: 'b' }] as typeof pending;
    expect(decideTask(policy, agreementFacts(differ))).toEqual({ kind: 'continue', create: 1 });
  });
});
