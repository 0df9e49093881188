import { describe, expect, it } from 'vitest';
import { utcDay } from './daily-quota.js';
import { type HostStanding, sendableNow, workAllowance } from './work-allowance.js';

const now = Date.UTC(2026, 11, 3, 12);
const fresh: HostStanding = {
  quarantined: false,
  quota: 1000,
  quotaUsed: 0,
  quotaDay: utcDay(now),
  accepted: 0,
  failed: 0,
};

describe('workAllowance', () => {
  it('serves a new host in full', () => {
    expect(workAllowance(fresh, 100, now)).toBe(100);
  });

  it('serves nothing to a quarantined host', () => {
    expect(workAllowance({ ...fresh, quarantined: true, accepted: 1e6 }, 100, now)).toBe(0);
  });

  it('serves no more than the quota left today', () => {
    expect(workAllowance({ ...fresh, quotaUsed: 950 }, 100, now)).toBe(50);
    expect(workAllowance({ ...fresh, quotaUsed: 1000 }, 100, now)).toBe(0);
    expect(workAllowance({ ...fresh, quotaUsed: 1000, quotaDay: utcDay(now) - 1 }, 100, now)).toBe(
      100,
    );
  });

  it('serves a host whose replicas time out less at every pull, but at least one', () => {
    const after = (failed: number) => workAllowance({ ...fresh, failed }, 100, now);
    expect(after(1)).toBe(50);
    expect(after(4)).toBe(20);
    expect(after(99)).toBe(1);
    expect(after(5)).toBeLessThan(after(4));
  });

  it('lets a long clean record absorb an odd failure', () => {
    expect(workAllowance({ ...fresh, accepted: 999, failed: 1 }, 100, now)).toBe(99);
  });

  it('bounds what may be sent at all by quarantine and quota only, not by the share of a request', () => {
    expect(sendableNow({ ...fresh, failed: 9, quotaUsed: 400 }, now)).toBe(600);
    expect(sendableNow({ ...fresh, quarantined: true }, now)).toBe(0);
  });
});
