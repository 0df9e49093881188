import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ADAPTIVE } from './adaptive-replication.js';
import { resolvePolicy } from './job-policy.js';
import { outputDigest } from './output-digest.js';
import { untrustedAdaptiveCap, untrustedJobCap } from './placement-limits.js';
import { decideTask, type ReplicaFacts } from './quorum.js';
import {
  adaptiveParams,
  adaptiveQuorum,
  hostsKeptApart,
  judgement,
  knownDigest,
  spotCheckQuorum,
  tracksRecords,
} from './validation-mode.js';
import { newValidationRecord, recordValid, type ValidationRecord } from './validation-record.js';

const trusted = (n: number): ValidationRecord => {
  let r = newValidationRecord(0);
  // Confirmed by hosts of several accounts, as an honest host in a pool is.
  for (let i = 0; i < n; i++) r = recordValid(r, [100 + (i % 5)]);
  return r;
};
const reported = (id: number, digest = 'd'): ReplicaFacts => ({ id, state: 'reported', digest });
const never = () => 0.99;

describe('validation modes', () => {
  it('keeps records only for jobs whose results are compared', () => {
    expect(tracksRecords(resolvePolicy({}))).toBe(false);
    expect(tracksRecords(resolvePolicy({ validation: { mode: 'none' } }))).toBe(false);
    expect(tracksRecords(resolvePolicy({ redundancy: 2 }))).toBe(true);
    expect(tracksRecords(resolvePolicy({ validation: { mode: 'adaptive' } }))).toBe(true);
  });

  it('counts the hosts of different accounts a task needs: its quorum, or 2 when adaptive', () => {
    const every = (hosts: number) => ({ hosts, share: 1 });
    expect(hostsKeptApart(resolvePolicy({}))).toEqual(every(1));
    expect(hostsKeptApart(resolvePolicy({ redundancy: 2 }))).toEqual(every(2));
    expect(hostsKeptApart(resolvePolicy({ redundancy: 5, quorum: 3 }))).toEqual(every(3));
    // Adaptive: quorum 1, yet an untrusted host's result waits for another account's check.
    expect(hostsKeptApart(resolvePolicy({ validation: { mode: 'adaptive' } }))).toEqual(every(2));
    expect(hostsKeptApart(resolvePolicy({ validation: { mode: 'none' } }))).toEqual(every(1));
    // Spot checks: the drawn share of the tasks gets a second replica, on another account.
    const spot = (rate: number) => resolvePolicy({ validation: { mode: 'spot-check', rate } });
    expect(hostsKeptApart(spot(0.1))).toEqual({ hosts: 2, share: 0.1 });
    expect(hostsKeptApart(spot(0))).toEqual(every(1));
  });

  it('spot checks only under exact comparison, whose differing bytes are a verdict', () => {
    const numeric = { kind: 'numeric', relTol: 1e-6, source: 'stdout', format: 'json' } as const;
    expect(adaptiveParams(resolvePolicy({ validation: { mode: 'adaptive' } })).spotCheckRate).toBe(
      DEFAULT_ADAPTIVE.spotCheckRate,
    );
    const tolerant = resolvePolicy({ validation: { mode: 'adaptive' }, compare: numeric });
    expect(adaptiveParams(tolerant)).toMatchObject({
      spotCheckRate: 0,
      floor: DEFAULT_ADAPTIVE.floor,
    });
    expect(() =>
      resolvePolicy({ validation: { mode: 'spot-check', rate: 0.1 }, compare: numeric }),
    ).toThrow(/spot-check judges results by their bytes/);
  });

  it('fills adaptive defaults and refuses a redundancy it would ignore', () => {
    const p = resolvePolicy({ validation: { mode: 'adaptive', floor: 0.1 } });
    expect(p).toMatchObject({ redundancy: 1, quorum: 1, maxTotal: 6 });
    expect(adaptiveParams(p)).toMatchObject({ floor: 0.1, warmup: DEFAULT_ADAPTIVE.warmup });
    expect(() => resolvePolicy({ validation: { mode: 'adaptive' }, redundancy: 2 })).toThrow(
      /adaptive decides itself which tasks get a second replica; leave out redundancy/,
    );
    expect(() => resolvePolicy({ validation: { mode: 'none' }, redundancy: 2 })).toThrow(
      /none runs each task once .*or use validation replicate/,
    );
    expect(resolvePolicy({}).validation).toEqual({ mode: 'replicate' });
  });

  it('asks a second result of an untrusted host, and lets a trusted one go alone', () => {
    const p = DEFAULT_ADAPTIVE;
    const one = [reported(1)];
    expect(adaptiveQuorum(one, false, () => trusted(3), p, never)).toBe(2);
    expect(adaptiveQuorum(one, false, () => trusted(500), p, never)).toBe(1);
    // Drawn for a check (0 < floor): replicated even when trusted.
    expect(
      adaptiveQuorum(
        one,
        false,
        () => trusted(500),
        p,
        () => 0,
      ),
    ).toBe(2);
    // Reopened by a re-check: always compared.
    expect(adaptiveQuorum(one, true, () => trusted(500), p, never)).toBe(2);
  });

  it('never accepts alone once a check was asked, and replaces a lost first replica by one', () => {
    const p = DEFAULT_ADAPTIVE;
    const record = () => trusted(500);
    const checkLost: ReplicaFacts[] = [reported(1), { id: 2, state: 'timed_out', digest: null }];
    expect(adaptiveQuorum(checkLost, false, record, p, never)).toBe(2);
    const firstLost: ReplicaFacts[] = [{ id: 1, state: 'timed_out', digest: null }];
    const q = adaptiveQuorum(firstLost, false, record, p, never);
    expect(q).toBe(1);
    const policy = { ...resolvePolicy({ validation: { mode: 'adaptive' } }), quorum: q };
    expect(decideTask(policy, firstLost)).toEqual({ kind: 'continue', create: 1 });
    // A second result is needed: one checking replica, not two.
    const policy2 = { ...policy, quorum: 2 };
    expect(decideTask(policy2, [reported(1)])).toEqual({ kind: 'continue', create: 1 });
  });

  it('counts each change of a replica\u2019s validation once', () => {
    expect(judgement(null, 'valid', false)).toBe('valid');
    expect(judgement(null, 'valid', true)).toBe('alone');
    expect(judgement('valid', 'valid', false)).toBeNull();
    expect(judgement('valid', 'invalid', false)).toBe('invalid');
    expect(judgement('invalid', 'valid', false)).toBe('exonerated');
    expect(judgement('invalid', 'invalid', false)).toBeNull();
  });

  it('turns a known stdout into the digest a report with that stdout gets', () => {
    const p = resolvePolicy({
      validation: { mode: 'spot-check', rate: 0.1, knownAnswers: [{ index: 3, stdout: '42\n' }] },
    });
    const hash = createHash('sha256').update('42\n').digest('hex');
    const digest = outputDigest({ exitCode: 0, stdout: { hash }, files: {} });
    expect(knownDigest(p, 3)).toBe(digest);
    expect(knownDigest(p, 2)).toBeUndefined();
    expect(tracksRecords(p)).toBe(true);
    expect(spotCheckQuorum([reported(1)], false, 0.1, () => 0.05)).toBe(2);
    expect(spotCheckQuorum([reported(1)], false, 0.1, () => 0.5)).toBe(1);
  });

  it('caps an untrusted host\u2019s share of a job, never below a few replicas', () => {
    expect(untrustedJobCap(10)).toBe(4);
    expect(untrustedJobCap(10_000)).toBe(200);
  });

  it('caps an untrusted host’s share of an adaptive job at its warm-up', () => {
    expect(untrustedAdaptiveCap(100_000, 20)).toBe(20);
    // A host with strikes has a longer warm-up to do, and may hold as much of it.
    expect(untrustedAdaptiveCap(100_000, 80)).toBe(80);
    // Never more than a replicated job allows, never fewer than a few.
    expect(untrustedAdaptiveCap(1_000, 1280)).toBe(20);
    expect(untrustedAdaptiveCap(100_000, 2)).toBe(4);
  });
});
