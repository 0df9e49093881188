import { assignmentsOf, WorkResponse } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { FAST_PATH_MATCHES_PROTOCOL, WorkResponseReader } from './work-response.js';

type Json = Record<string, unknown>;

function assignment(i: number): Json {
  return {
    replicaId: 1000 + i,
    taskId: i,
    jobId: 3,
    module: { hash: 'a'.repeat(64), size: 1234 },
    argv0: 'prime.wasm',
    args: [String(i)],
    env: {},
    stdin: null,
    files: {},
    limits: { memoryBytes: 1 << 28, wallTimeMs: 60_000, outputBytes: 1 << 26 },
    deadline: 1_800_000_000_000,
    seed: 12345,
  };
}

/**
 * A body as it arrives, parsed from JSON text: each job's module and limits (the last
 * assignment's of that job) under its id, the assignments without them.
 */
function body(...assignments: Json[]): Json {
  const jobs: Record<string, Json> = {};
  const entries = assignments.map(({ module, argv0, limits, signature, ...entry }) => {
    jobs[String(entry.jobId)] = {
      module,
      ...(argv0 === undefined ? {} : { argv0 }),
      limits,
      ...(signature === undefined ? {} : { signature }),
    };
    return entry;
  });
  return JSON.parse(JSON.stringify({ jobs, assignments: entries }));
}

/** Variants of a valid assignment, valid or not, covering every field. */
const variants: Array<[string, (a: Json) => void]> = [
  ['as is', () => {}],
  ['replicaId 0', (a) => (a.replicaId = 0)],
  ['replicaId fractional', (a) => (a.replicaId = 1.5)],
  ['replicaId as string', (a) => (a.replicaId = '7')],
  ['taskId negative', (a) => (a.taskId = -3)],
  ['taskId unsafe', (a) => (a.taskId = 2 ** 53)],
  ['jobId missing', (a) => delete a.jobId],
  ['another job', (a) => (a.jobId = 4)],
  ['deadline null', (a) => (a.deadline = null)],
  ['seed fractional', (a) => (a.seed = 0.5)],
  ['an extra key', (a) => (a.extra = 1)],
  ['another module', (a) => (a.module = { hash: 'b'.repeat(64), size: 9 })],
  ['module hash upper case', (a) => (a.module = { hash: 'A'.repeat(64), size: 9 })],
  ['module size negative', (a) => (a.module = { hash: 'b'.repeat(64), size: -1 })],
  ['module with an extra key', (a) => (a.module = { hash: 'a'.repeat(64), size: 1234, x: 1 })],
  ['module missing', (a) => delete a.module],
  ['argv0 absent (an older coordinator)', (a) => delete a.argv0],
  ['argv0 a number', (a) => (a.argv0 = 7)],
  ['argv0 null', (a) => (a.argv0 = null)],
  ['argv0 another name', (a) => (a.argv0 = 'busybox')],
  [
    'signed',
    (a) => (a.signature = { publicKey: `ed25519:${'A'.repeat(43)}`, signature: 'A'.repeat(86) }),
  ],
  [
    'signed, naming a publisher',
    (a) =>
      (a.signature = {
        publicKey: `ed25519:${'B'.repeat(43)}`,
        signature: 'Q'.repeat(86),
        publisher: 'acme',
      }),
  ],
  [
    'signature too short',
    (a) => (a.signature = { publicKey: `ed25519:${'A'.repeat(43)}`, signature: 'A'.repeat(85) }),
  ],
  [
    'signature key of another kind',
    (a) => (a.signature = { publicKey: `rsa:${'A'.repeat(43)}`, signature: 'A'.repeat(86) }),
  ],
  ['signature null', (a) => (a.signature = null)],
  ['args not strings', (a) => (a.args = [1])],
  ['args an object', (a) => (a.args = {})],
  ['env set', (a) => (a.env = { A: '1', B: '' })],
  ['env not strings', (a) => (a.env = { A: 1 })],
  ['env an array', (a) => (a.env = [])],
  ['env naming __proto__', (a) => (a.env = JSON.parse('{"__proto__":"x"}'))],
  ['stdin a blob', (a) => (a.stdin = { hash: 'c'.repeat(64), size: 3 })],
  ['stdin a bad blob', (a) => (a.stdin = { hash: 'c', size: 3 })],
  ['stdin missing', (a) => delete a.stdin],
  ['files named', (a) => (a.files = { 'in/x.txt': { hash: 'c'.repeat(64), size: 3 } })],
  ['files badly named', (a) => (a.files = { '../x': { hash: 'c'.repeat(64), size: 3 } })],
  ['files null', (a) => (a.files = null)],
  ['other limits', (a) => (a.limits = { memoryBytes: 1 << 21, wallTimeMs: 10, outputBytes: 0 })],
  ['limits too small', (a) => (a.limits = { memoryBytes: 1, wallTimeMs: 10, outputBytes: 0 })],
  ['limits missing a key', (a) => (a.limits = { memoryBytes: 1 << 21, wallTimeMs: 10 })],
  [
    'limits with an extra key',
    (a) => (a.limits = { memoryBytes: 1 << 28, wallTimeMs: 60_000, outputBytes: 1 << 26, x: 1 }),
  ],
];

describe('WorkResponseReader', () => {
  it('knows every key of the protocol’s work answer (else it steps aside)', () => {
    expect(FAST_PATH_MATCHES_PROTOCOL).toBe(true);
  });

  it('completes the usual body in place: each assignment gets its job’s module and limits', () => {
    const usual = body(assignment(1), assignment(2));
    const read = new WorkResponseReader().safeParse(usual);
    if (!read.success) throw new Error('refused');
    expect(read.data.assignments).toBe(usual.assignments);
    expect(read.data.assignments).toEqual([assignment(1), assignment(2)]);
  });

  it('reads `more` (work waits beyond the in-flight bound) on the fast path, and only as true', () => {
    const usual = { ...(body(assignment(1)) as { assignments: Json[] }), more: true };
    const read = new WorkResponseReader().safeParse(usual);
    expect(read.success && read.data.more).toBe(true);
    expect(read.success && read.data.assignments).toBe(usual.assignments);
    const plain = new WorkResponseReader().safeParse(body(assignment(2)));
    expect(plain.success && plain.data.more).toBeUndefined();
    expect(
      new WorkResponseReader().safeParse({ ...body(assignment(3)), more: false }).success,
    ).toBe(false);
  });

  it("keeps a resumed replica's checkpoint, beside usual assignments read in place", () => {
    const checkpoint = { hash: 'c'.repeat(64), size: 40 };
    const answer = new WorkResponseReader().safeParse(
      body(assignment(1), { ...assignment(2), checkpoint }),
    );
    expect(answer.success && answer.data.assignments.map((a) => a.checkpoint)).toEqual([
      undefined,
      checkpoint,
    ]);
    const bad = { ...assignment(3), checkpoint: { hash: 'x', size: 1 } };
    expect(new WorkResponseReader().safeParse(body(bad)).success).toBe(false);
  });

  it('refuses an assignment whose job the answer does not list', () => {
    const orphan = body(assignment(1));
    (orphan.assignments as Json[]).push({ ...(orphan.assignments as Json[])[0], jobId: 9 });
    expect(new WorkResponseReader().safeParse(orphan).success).toBe(false);
    expect(WorkResponse.safeParse(orphan).success).toBe(false);
  });

  it('shares one object among equal modules, limits and empty maps of the bodies it reads', () => {
    const reader = new WorkResponseReader();
    const read = (b: unknown) => {
      const r = reader.safeParse(b);
      if (!r.success) throw new Error('refused');
      return r.data.assignments;
    };
    const [a, b] = read(body(assignment(1), assignment(2)));
    const [c] = read(body(assignment(3)));
    for (const other of [b, c]) {
      expect(other?.module).toBe(a?.module);
      expect(other?.limits).toBe(a?.limits);
      expect(other?.env).toBe(a?.env);
      expect(other?.files).toBe(a?.files);
    }
    expect(Object.isFrozen(a?.env)).toBe(true);
  });

  it('agrees with the protocol’s schema on every variant, before and after it saw valid ones', () => {
    const reader = new WorkResponseReader();
    for (const round of ['fresh', 'warm']) {
      for (const [name, change] of variants) {
        const changed = assignment(5);
        change(changed);
        for (const candidate of [body(changed), body(assignment(4), changed)]) {
          const theirs = WorkResponse.safeParse(structuredClone(candidate));
          const ours = reader.safeParse(candidate);
          expect({ round, name, success: ours.success }).toEqual({
            round,
            name,
            success: theirs.success,
          });
          if (ours.success && theirs.success) {
            expect(ours.data).toEqual({ assignments: assignmentsOf(theirs.data) });
          }
        }
      }
    }
  });

  it('refuses bodies that are not a work response', () => {
    const reader = new WorkResponseReader();
    for (const candidate of [
      null,
      [],
      {},
      { jobs: {}, assignments: {} },
      { jobs: [], assignments: [] },
      { jobs: { x: {} }, assignments: [] },
      { jobs: {}, assignments: [], x: 1 },
      { assignments: [] },
    ]) {
      expect(reader.safeParse(candidate).success).toBe(false);
    }
    expect(reader.safeParse({ jobs: {}, assignments: [] }).success).toBe(true);
  });
});
