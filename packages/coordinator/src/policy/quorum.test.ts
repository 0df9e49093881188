import { describe, expect, it } from 'vitest';
import { decideTask, type ReplicaFacts } from './quorum.js';

const policy = { redundancy: 2, quorum: 2, maxErrors: 2, maxTotal: 5 };
const r = (
  id: number,
  state: ReplicaFacts['state'],
  digest: string | null = null,
): ReplicaFacts => ({
  id,
  state,
  digest,
});

describe('decideTask', () => {
  it('creates the initial replicas of a new task', () => {
    expect(decideTask(policy, [])).toEqual({ kind: 'continue', create: 2 });
  });

  it('accepts a result once two replicas agree, and names the canonical one', () => {
    const d = decideTask(policy, [r(1, 'reported', 'a'), r(2, 'reported', 'a')]);
    expect(d).toMatchObject({ kind: 'valid', digest: 'a', canonicalId: 1, validIds: [1, 2] });
  });

  it('asks for one more replica when two disagree, then settles on the majority', () => {
    expect(decideTask(policy, [r(1, 'reported', 'a'), r(2, 'reported', 'b')])).toEqual({
      kind: 'continue',
      create: 1,
    });
    const d = decideTask(policy, [
      r(1, 'reported', 'bad'),
      r(2, 'reported', 'ok'),
      r(3, 'reported', 'ok'),
    ]);
    expect(d).toMatchObject({ kind: 'valid', digest: 'ok', canonicalId: 2, invalidIds: [1] });
  });

  it('waits while replicas are in flight instead of creating more', () => {
    expect(decideTask(policy, [r(1, 'reported', 'a'), r(2, 'in_progress')])).toEqual({
      kind: 'continue',
      create: 0,
    });
  });

  it('replaces a timed-out replica and fails the task past maxErrors', () => {
    expect(decideTask(policy, [r(1, 'timed_out'), r(2, 'in_progress')])).toEqual({
      kind: 'continue',
      create: 1,
    });
    expect(decideTask(policy, [r(1, 'errored'), r(2, 'errored'), r(3, 'errored')])).toEqual({
      kind: 'failed',
    });
  });

  it('does not count abandoned replicas against maxTotal or errors', () => {
    const abandoned = [1, 2, 3, 4, 5].map((id) => r(id, 'abandoned'));
    expect(decideTask(policy, abandoned)).toEqual({ kind: 'continue', create: 2 });
  });

  it('reports no consensus when maxTotal is reached with disagreeing outputs', () => {
    const d = decideTask(policy, [
      r(1, 'reported', 'a'),
      r(2, 'reported', 'b'),
      r(3, 'reported', 'c'),
      r(4, 'reported', 'd'),
      r(5, 'reported', 'e'),
    ]);
    expect(d).toEqual({ kind: 'no_consensus' });
  });

  it('settles a redundancy-1 task on its first success', () => {
    const single = { redundancy: 1, quorum: 1, maxErrors: 3, maxTotal: 4 };
    expect(decideTask(single, [r(7, 'reported', 'x')])).toEqual({
      kind: 'valid',
      digest: 'x',
      canonicalId: 7,
      validIds: [7],
      invalidIds: [],
    });
    // A failed first replica is replaced, as on the general path.
    expect(decideTask(single, [r(7, 'errored')])).toEqual({ kind: 'continue', create: 1 });
    // Two replicas (one reissued) go through grouping: the later success still settles it.
    expect(decideTask(single, [r(7, 'timed_out'), r(9, 'reported', 'y')])).toMatchObject({
      kind: 'valid',
      canonicalId: 9,
      invalidIds: [],
    });
  });

  describe('counts failures per owning account', () => {
    const single = { redundancy: 1, quorum: 1, maxErrors: 3, maxTotal: 4 };
    const of = (id: number, state: ReplicaFacts['state'], account: number): ReplicaFacts => ({
      id,
      state,
      digest: null,
      account,
    });

    it('never fails a task because one account’s hosts keep timing out', () => {
      const hoarded = Array.from({ length: 20 }, (_, i) => of(i + 1, 'timed_out', 7));
      expect(decideTask(single, hoarded)).toEqual({ kind: 'continue', create: 1 });
      expect(decideTask(policy, hoarded)).toEqual({ kind: 'continue', create: 2 });
    });

    it('fails a task once more than maxErrors distinct accounts failed it', () => {
      const four = [1, 2, 3, 4].map((a) => of(a, 'timed_out', a));
      expect(decideTask(single, four.slice(0, 3))).toEqual({ kind: 'continue', create: 1 });
      expect(decideTask(single, four)).toEqual({ kind: 'failed' });
    });

    it('still fails a task that crashes on every host of a one-account pool', () => {
      const crashes = [1, 2, 3, 4].map((id) => of(id, 'errored', 1));
      expect(decideTask(single, crashes.slice(0, 3))).toEqual({ kind: 'continue', create: 1 });
      expect(decideTask(single, crashes)).toEqual({ kind: 'failed' });
    });

    it('counts replicas of unknown owners one by one, as before', () => {
      const unknown = [1, 2, 3, 4].map((id) => r(id, 'timed_out'));
      expect(decideTask(single, unknown)).toEqual({ kind: 'failed' });
    });
  });

  it('replaces a replica whose host refused the module, counting it neither as an error nor towards maxTotal', () => {
    const tight = { redundancy: 1, quorum: 1, maxErrors: 0, maxTotal: 1 };
    expect(decideTask(tight, [r(1, 'refused')])).toEqual({ kind: 'continue', create: 1 });
    expect(decideTask(tight, [r(1, 'refused'), r(2, 'refused'), r(3, 'unsent')])).toEqual({
      kind: 'continue',
      create: 0,
    });
    expect(decideTask(tight, [r(1, 'errored')])).toEqual({ kind: 'failed' });
  });
});
