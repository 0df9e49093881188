import { describe, expect, it } from 'vitest';
import { type ConnectedHost, isStranded, mayHold, type StrandedFacts } from './stranded-task.js';

const a: ConnectedHost = {
  id: 1,
  account: 10,
  network: null,
  platform: 'linux-x64',
  quarantined: false,
};
const b: ConnectedHost = {
  id: 2,
  account: 20,
  network: null,
  platform: 'linux-x64',
  quarantined: false,
};
const holder = (h: ConnectedHost) => ({
  hostId: h.id,
  account: h.account,
  network: h.network,
  platform: h.platform,
});

const facts = (over: Partial<StrandedFacts> = {}): StrandedFacts => ({
  apart: false,
  homogeneous: false,
  holders: [holder(a), holder(b)],
  connected: [a, b],
  waitingSince: 0,
  ...over,
});

describe('isStranded', () => {
  it('fails a task every connected host failed, once the bound passed', () => {
    expect(isStranded(facts(), 60_000, 60_000)).toBe(true);
  });

  it('waits while the bound has not passed since a host last joined', () => {
    expect(isStranded(facts({ waitingSince: 30_000 }), 60_000, 60_000)).toBe(false);
  });

  it('waits while a connected host may still take it', () => {
    const c: ConnectedHost = { ...b, id: 3 };
    expect(isStranded(facts({ connected: [a, b, c] }), 60_000, 60_000)).toBe(false);
  });

  it('counts a quarantined host as no help', () => {
    const c: ConnectedHost = { ...b, id: 3, quarantined: true };
    expect(isStranded(facts({ connected: [a, b, c] }), 60_000, 60_000)).toBe(true);
  });

  it('applies the account, network and platform rules of the job', () => {
    const sameAccount: ConnectedHost = { ...a, id: 3 };
    const sameNet: ConnectedHost = { ...a, id: 4, account: 30, network: '203.0.113' };
    const arm: ConnectedHost = { ...b, id: 5, account: 40, platform: 'linux-arm64' };
    const held = { holders: [holder({ ...a, network: '203.0.113' })] };
    expect(mayHold(sameAccount, { apart: false, homogeneous: false, ...held })).toBe(true);
    expect(mayHold(sameAccount, { apart: true, homogeneous: false, ...held })).toBe(false);
    expect(mayHold(sameNet, { apart: true, homogeneous: false, ...held })).toBe(false);
    expect(mayHold(arm, { apart: false, homogeneous: true, ...held })).toBe(false);
    expect(mayHold(arm, { apart: true, homogeneous: false, ...held })).toBe(true);
  });
});
