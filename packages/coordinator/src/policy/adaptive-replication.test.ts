import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ADAPTIVE,
  isTrusted,
  mayAcceptAlone,
  mayTake,
  recordConfirmed,
  replicationProbability,
  requiredStreak,
  shouldReplicate,
  spotCheckNow,
} from './adaptive-replication.js';
import { boincIsTrusted, boincShouldReplicate } from './boinc-replication.js';
import { type AcceptedResult, resultsToRecheck } from './recheck.js';
import { isQuarantined } from './reputation.js';
import { type Random, seededRandom } from './seeded-random.js';
import {
  newValidationRecord,
  recordAlone,
  recordInvalid,
  recordValid,
  type ValidationRecord,
} from './validation-record.js';

const p = DEFAULT_ADAPTIVE;
/** `n` confirmations, by hosts of accounts 100, 101, … taken in turn from `accounts`. */
const valid = (n: number, r = newValidationRecord(0), accounts = 5): ValidationRecord => {
  let out = r;
  for (let i = 0; i < n; i++) out = recordValid(out, [100 + (i % accounts)]);
  return out;
};

describe('adaptive replication', () => {
  it('replicates every task of a host until its warm-up is done', () => {
    const random = seededRandom(1);
    for (let n = 0; n < p.warmup; n++) {
      const r = valid(n);
      expect(isTrusted(r)).toBe(false);
      expect(replicationProbability(r)).toBe(1);
      expect(shouldReplicate(r, p, random)).toBe(true);
    }
    expect(isTrusted(valid(p.warmup))).toBe(true);
    expect(replicationProbability(valid(p.warmup))).toBeLessThan(1);
  });

  it('replicates less as the streak grows, and never below the floor', () => {
    let last = 1;
    let r = valid(p.warmup);
    for (let n = p.warmup; n < 10_000; n++) {
      const q = replicationProbability(r);
      expect(q).toBeLessThanOrEqual(last);
      expect(q).toBeGreaterThanOrEqual(p.floor);
      last = q;
      r = recordAlone(r);
    }
    expect(last).toBe(p.floor);
    const random = seededRandom(3);
    let replicated = 0;
    for (let i = 0; i < 40_000; i++) if (shouldReplicate(r, p, random)) replicated++;
    expect(replicated / 40_000).toBeCloseTo(p.floor, 2);
  });

  it('sends a host back to untrusted on one invalid result, with a doubled warm-up', () => {
    const trusted = valid(500);
    expect(replicationProbability(trusted)).toBe(p.floor);
    const caught = recordInvalid(trusted, 1);
    expect(isTrusted(caught)).toBe(false);
    expect(replicationProbability(caught)).toBe(1);
    expect(mayAcceptAlone(caught)).toBe(false);
    expect(requiredStreak(caught)).toBe(2 * p.warmup);
    expect(isTrusted(valid(2 * p.warmup - 1, caught))).toBe(false);
    expect(isTrusted(valid(2 * p.warmup, caught))).toBe(true);
  });

  it('spot-checks trusted hosts only, at the configured rate', () => {
    const random = seededRandom(4);
    const untrusted = valid(3);
    const trusted = valid(1000);
    let checks = 0;
    for (let i = 0; i < 50_000; i++) {
      expect(spotCheckNow(untrusted, p, random)).toBe(false);
      if (spotCheckNow(trusted, p, random)) checks++;
    }
    expect(checks / 50_000).toBeCloseTo(p.spotCheckRate, 2);
  });

  it('keeps checking replicas for trusted hosts for a while, then lets anyone take them', () => {
    const stranger = newValidationRecord(0);
    expect(mayTake(stranger, 'first', 0, 0)).toBe(true);
    expect(mayTake(stranger, 'check', 0, p.trustedWaitMs - 1)).toBe(false);
    expect(mayTake(stranger, 'check', 0, p.trustedWaitMs)).toBe(true);
    expect(mayTake(valid(100), 'check', 0, 0)).toBe(true);
  });
});

describe('adaptive replication: trust from several accounts', () => {
  /** Hosts of `accounts` distinct accounts, each confirmed by all the others in turn, `n` times. */
  const ring = (accounts: number, n: number): ValidationRecord[] => {
    const records = Array.from({ length: accounts }, () => newValidationRecord(0));
    for (let i = 0; i < n; i++) {
      // One task per round: host a ran it, another member b checked it, both agreed;
      // over k · (k − 1) rounds every member checks every other.
      const a = i % accounts;
      const b = (a + 1 + (Math.floor(i / accounts) % (accounts - 1))) % accounts;
      records[a] = recordValid(records[a] as ValidationRecord, [b]);
      records[b] = recordValid(records[b] as ValidationRecord, [a]);
    }
    return records;
  };

  it('never trusts a colluding pair that only confirms itself, however long its streak', () => {
    for (const r of ring(2, 10_000)) {
      expect(r.streak).toBeGreaterThan(100 * p.warmup);
      expect(r.partners).toHaveLength(1);
      expect(isTrusted(r)).toBe(false);
      expect(replicationProbability(r)).toBe(1);
      expect(mayTake(r, 'check', 0, 0)).toBe(false);
      expect(mayAcceptAlone(r)).toBe(false);
    }
  });

  it('never trusts a ring of fewer accounts than `partners`, and does a ring of more', () => {
    for (const r of ring(p.partners, 10_000)) expect(isTrusted(r)).toBe(false);
    // The rule's limit, as docs/validation.md says: enough accounts are a pool.
    for (const r of ring(p.partners + 1, 10_000)) expect(isTrusted(r)).toBe(true);
  });

  it('trusts a host confirmed by three honest accounts after the usual warm-up', () => {
    expect(isTrusted(valid(p.warmup - 1, undefined, 3))).toBe(false);
    expect(isTrusted(valid(p.warmup, undefined, 3))).toBe(true);
    // The warm-up is the bound when partners come early; partners when they come late.
    expect(isTrusted(valid(p.warmup, undefined, 2))).toBe(false);
    const late = recordValid(valid(p.warmup, undefined, 2), [999]);
    expect(isTrusted(late)).toBe(true);
  });

  it('counts a partner once, however many of its results agreed', () => {
    const r = valid(50 * p.warmup, undefined, 1);
    expect(r.partners).toEqual([100]);
    expect(isTrusted(r)).toBe(false);
  });

  it('forgets the partners on a catch, as it does the streak', () => {
    const trusted = valid(100);
    expect(trusted.partners).toHaveLength(5);
    const caught = recordInvalid(trusted, 1);
    expect(caught.partners).toEqual([]);
    // A doubled warm-up confirmed by one account only: still untrusted.
    expect(isTrusted(valid(10 * p.warmup, caught, 1))).toBe(false);
    expect(isTrusted(valid(2 * p.warmup, caught, 3))).toBe(true);
  });

  it('holds a partnerless streak at the warm-up, so trust gained late starts the ramp from its top', () => {
    const pair = ring(2, 10_000)[0] as ValidationRecord;
    expect(pair.streak).toBeGreaterThan(100 * p.warmup);
    let held = recordConfirmed(pair, [1]);
    for (let i = 0; i < 1000; i++) held = recordConfirmed(held, [1]);
    expect(held.streak).toBe(p.warmup);
    // Three honest partners come along: trusted, and replicated as a host just trusted is.
    const joined = recordValid(held, [7, 8]);
    expect(isTrusted(joined)).toBe(true);
    expect(replicationProbability(joined)).toBeGreaterThan(0.8);
    // Unheld, the same pair would have started at the floor.
    expect(replicationProbability(recordValid(pair, [7, 8]))).toBe(p.floor);
    // A host with enough partners is never held.
    const honest = valid(10 * p.warmup);
    expect(recordConfirmed(honest, [100]).streak).toBe(honest.streak + 1);
  });

  it('trusts on the streak alone with `partners: 0`, for pools of one owner', () => {
    const alone = { ...p, partners: 0 };
    expect(isTrusted(ring(2, p.warmup)[0] as ValidationRecord, alone)).toBe(true);
  });
});

/** A host in the small simulation below: its record, and whether it cheats once trusted. */
interface Host {
  /** Its account: every simulated host has one of its own. */
  id: number;
  record: ValidationRecord;
  strategic: boolean;
  quarantined: boolean;
  log: AcceptedResult[];
}

interface Outcome {
  replicas: number[];
  wrongAccepted: number;
  wrongRechecked: number;
  catches: number;
}

/**
 * Tasks handed to random hosts, one at a time; a replicated task's partner is another
 * random host, and a strategic host returns a wrong result at rate `s` whenever `trusted`
 * says it is trusted. Records how many replicas each task cost.
 */
function run(options: {
  hosts: number;
  strategic: number;
  tasks: number;
  random: Random;
  rule: 'adaptive' | 'boinc';
  s?: number;
}): Outcome {
  const { random, rule, s = 0.1 } = options;
  const trusted = (r: ValidationRecord) => (rule === 'adaptive' ? isTrusted(r) : boincIsTrusted(r));
  const hosts: Host[] = Array.from({ length: options.hosts }, (_, i) => ({
    id: i,
    record: newValidationRecord(0),
    strategic: i < options.strategic,
    quarantined: false,
    log: [],
  }));
  const wrongTasks = new Set<number>();
  const out: Outcome = { replicas: [], wrongAccepted: 0, wrongRechecked: 0, catches: 0 };
  const pick = (not?: Host): Host => {
    for (;;) {
      const h = hosts[Math.floor(random() * hosts.length)] as Host;
      if (h !== not && !h.quarantined) return h;
    }
  };
  const wrong = (h: Host) => h.strategic && trusted(h.record) && random() < s;
  const caught = (h: Host, now: number) => {
    out.catches++;
    if (rule === 'adaptive') {
      for (const id of resultsToRecheck(h.record, h.log))
        if (wrongTasks.delete(id)) out.wrongRechecked++;
      h.log = [];
    }
    h.record = recordInvalid(h.record, now);
    if (rule === 'adaptive' && isQuarantined(h.record, p)) h.quarantined = true;
  };
  for (let t = 0; t < options.tasks; t++) {
    const host = pick();
    let cost = 0;
    if (rule === 'adaptive' && spotCheckNow(host.record, p, random)) {
      cost++;
      if (wrong(host)) caught(host, t);
      else host.record = recordValid(host.record);
    }
    const replicate =
      rule === 'adaptive'
        ? shouldReplicate(host.record, p, random)
        : boincShouldReplicate(host.record, random);
    const bad = wrong(host);
    cost++;
    if (!replicate) {
      host.record = recordAlone(host.record);
      host.log.push({ taskId: t, acceptedAt: t, confirmation: 'alone' });
      if (bad) {
        out.wrongAccepted++;
        wrongTasks.add(t);
      }
    } else {
      const partner = pick(host);
      cost++;
      // The partner answers right here: only the first host's cheating is in question.
      if (bad) caught(host, t);
      else host.record = recordValid(host.record, [partner.id]);
      partner.record = recordValid(partner.record, bad ? [] : [host.id]);
    }
    out.replicas.push(cost);
  }
  return out;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('adaptive replication in a small simulation', () => {
  it('converges to at most 1.15 replicas per task on an honest pool after warm-up', () => {
    const r = run({
      hosts: 50,
      strategic: 0,
      tasks: 60_000,
      random: seededRandom(5),
      rule: 'adaptive',
    });
    const warm = r.replicas.slice(20_000);
    expect(mean(warm)).toBeLessThanOrEqual(1.15);
    // Floor plus spot checks is the whole cost once every host is past its ramp.
    expect(mean(r.replicas.slice(40_000))).toBeLessThan(1 + p.floor + p.spotCheckRate + 0.01);
  });

  it('catches and quarantines a strategic saboteur and takes back what it slipped through', () => {
    const r = run({
      hosts: 20,
      strategic: 2,
      tasks: 40_000,
      random: seededRandom(6),
      rule: 'adaptive',
    });
    expect(r.catches).toBeGreaterThanOrEqual(2 * p.quarantineAt);
    // Every wrong result accepted alone was in a re-checked set when its host was caught.
    expect(r.wrongRechecked).toBe(r.wrongAccepted);
  });

  it('leaves no wrong result of a strategic saboteur standing, where BOINC’s rule leaves many', () => {
    const seed = 7;
    const ours = run({
      hosts: 20,
      strategic: 1,
      tasks: 40_000,
      random: seededRandom(seed),
      rule: 'adaptive',
    });
    const boinc = run({
      hosts: 20,
      strategic: 1,
      tasks: 40_000,
      random: seededRandom(seed),
      rule: 'boinc',
    });
    // BOINC never looks at a lone result again: every wrong one it accepted stands.
    expect(boinc.wrongAccepted).toBeGreaterThan(50);
    expect(ours.wrongAccepted).toBeLessThan(boinc.wrongAccepted);
    expect(ours.wrongAccepted - ours.wrongRechecked).toBe(0);
  });
});
