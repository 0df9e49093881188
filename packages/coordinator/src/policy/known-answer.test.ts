import { describe, expect, it } from 'vitest';
import { knownAnswerVerdict } from './known-answer.js';
import type { ReplicaFacts } from './quorum.js';

const r = (id: number, digest: string, account: number): ReplicaFacts => ({
  id,
  state: 'reported',
  digest,
  account,
});

describe('a known answer against the results of its task', () => {
  it('is confirmed by one matching result, whatever the others say', () => {
    expect(knownAnswerVerdict([r(1, 'x', 1), r(2, 'k', 2)], 'k')).toEqual({ kind: 'confirmed' });
  });

  it('stays unconfirmed while one owner alone differs from it', () => {
    expect(knownAnswerVerdict([r(1, 'x', 1)], 'k')).toEqual({ kind: 'unconfirmed' });
    // Two hosts of one account agreeing prove nothing: one owner.
    expect(knownAnswerVerdict([r(1, 'x', 1), r(2, 'x', 1)], 'k')).toEqual({ kind: 'unconfirmed' });
    expect(knownAnswerVerdict([r(1, 'x', 1), r(2, 'y', 2)], 'k')).toEqual({ kind: 'unconfirmed' });
    // Replicas still running or failed say nothing of the answer.
    const running: ReplicaFacts = { id: 3, state: 'in_progress', digest: null, account: 3 };
    expect(knownAnswerVerdict([r(1, 'x', 1), running], 'k')).toEqual({ kind: 'unconfirmed' });
  });

  it('is disputed when two owners agree on another output', () => {
    expect(knownAnswerVerdict([r(1, 'x', 1), r(2, 'x', 2)], 'k')).toEqual({
      kind: 'disputed',
      digest: 'x',
    });
  });
});
