import { describe, expect, it } from 'vitest';
import {
  actsAsLeader,
  holderGone,
  holderId,
  leadershipChange,
  mayTakeLease,
  renewEveryMs,
} from './leadership.js';

const lease = { name: 'leader', holder: 'A', expiresAt: 1000, term: 1 };

describe('leader lease', () => {
  it('may be taken when free, kept by its holder, and taken by another only once run out', () => {
    expect(mayTakeLease(null, 'B', 0)).toBe(true);
    expect(mayTakeLease(lease, 'A', 999)).toBe(true);
    expect(mayTakeLease(lease, 'B', 999)).toBe(false);
    expect(mayTakeLease(lease, 'B', 1000)).toBe(true);
  });

  it('stops its holder acting as leader a margin before it runs out', () => {
    expect(actsAsLeader(lease, 'A', 800, 100)).toBe(true);
    expect(actsAsLeader(lease, 'A', 900, 100)).toBe(false);
    expect(actsAsLeader(lease, 'B', 0, 100)).toBe(false);
    expect(actsAsLeader(null, 'A', 0, 100)).toBe(false);
  });

  it('is renewed three times per lease, and its changes are named once', () => {
    expect(renewEveryMs(9000)).toBe(3000);
    expect(renewEveryMs(3)).toBe(20);
    expect(leadershipChange(false, true)).toBe('gained');
    expect(leadershipChange(true, false)).toBe('lost');
    expect(leadershipChange(true, true)).toBeNull();
  });

  it('knows a holder dead only when it names this machine and a process that is gone', () => {
    const dead = holderId('box', 42, 'ab');
    const gone = () => false;
    expect(holderGone(dead, holderId('box', 7, 'cd'), 'box', gone)).toBe(true);
    expect(holderGone(dead, holderId('box', 7, 'cd'), 'box', () => true)).toBe(false);
    expect(holderGone(dead, holderId('other', 7, 'cd'), 'other', gone)).toBe(false);
    expect(holderGone(dead, dead, 'box', gone)).toBe(false);
    expect(holderGone('not-an-id', 'me', 'box', gone)).toBe(false);
    expect(holderGone(null, 'me', 'box', gone)).toBe(false);
  });
});
