/**
 * @module
 * Reads the coordinator's answer to `POST /v1/work` and hands out complete assignments,
 * each with its job's module and limits (which the answer sends once per job). The
 * protocol's `WorkResponse` schema is the authority, but zod checking and copying every
 * assignment cost more than parsing its JSON, thousands of times a second. Assignments
 * come in runs of one job that differ only in numbers and arguments, so a body whose
 * assignments all have the usual shape is checked here in place: each job's module and
 * limits, and stdin, are compared with ones the schema accepted before, and the rest are
 * plain type checks. Anything else — input files, an unfamiliar key, a value out of the
 * ordinary — goes through the schema, which accepts it or says why not. When the
 * schema's keys are not the ones this file knows (the protocol changed), every body
 * goes through the schema.
 *
 * A body read in place is also completed and trimmed in place: each assignment gets its
 * job's module and limits, stdin becomes the equal object accepted before, and an empty
 * environment or file list one shared frozen object. Assignments wait in the agent's
 * buffer long enough to outlive a young-generation collection or two; copies of the
 * same values would be copied and promoted with them, these die at once.
 */

import {
  type Assignment,
  AssignmentEntry,
  assignmentsOf,
  BlobRef,
  countKeys,
  DEFAULT_ARGV0,
  isRecord,
  isStringRecord,
  isStrings,
  JOB_ID_KEY,
  JobRun,
  RunLimitsSchema,
  sameMembers,
  WorkResponse,
} from '@anygrid/protocol';
import type { z } from 'zod';

/** The keys of an answer, a job entry and an assignment entry this fast path checks, every one. */
const RESPONSE_KEYS = ['jobs', 'assignments', 'more'];
const JOB_KEYS = ['module', 'argv0', 'limits', 'signature'];
const ENTRY_KEYS = [
  'replicaId',
  'taskId',
  'jobId',
  'args',
  'env',
  'stdin',
  'files',
  'deadline',
  'seed',
];
/**
 * Keys an entry may carry that this fast path leaves to the schema: a resumed replica's
 * checkpoint, the native variant to run (docs/variants.md).
 */
const RARE_ENTRY_KEYS = ['checkpoint', 'variant'];

/** Whether the protocol's work answer has exactly the keys checked here. */
export const FAST_PATH_MATCHES_PROTOCOL =
  sameMembers(Object.keys(WorkResponse.shape), RESPONSE_KEYS) &&
  sameMembers(Object.keys(JobRun.shape), JOB_KEYS) &&
  sameMembers(Object.keys(AssignmentEntry.shape), [...ENTRY_KEYS, ...RARE_ENTRY_KEYS]);

type Body = Record<string, unknown>;

/** The environment and file list of nearly every assignment. */
const EMPTY: Body = Object.freeze({});

/** A work answer as the work loop takes it. */
export interface WorkAnswer {
  readonly assignments: Assignment[];
  /** More work waits for this host than the answer carried (`WorkResponse.more`). */
  readonly more?: boolean;
}

/** Checks work answers, remembering the last module, stdin and limits the schema accepted. */
export class WorkResponseReader {
  private module = new Accepted(BlobRef);
  private stdin = new Accepted(BlobRef);
  private limits = new Accepted(RunLimitsSchema);

  /** The answer's complete assignments, or the schema's error; shaped as zod's `safeParse`. */
  safeParse(
    body: unknown,
  ): { success: true; data: WorkAnswer } | { success: false; error: z.ZodError } {
    if (FAST_PATH_MATCHES_PROTOCOL && this.usual(body)) {
      const { assignments, more } = body as Body;
      const read = assignments as Assignment[];
      return {
        success: true,
        data: more === true ? { assignments: read, more } : { assignments: read },
      };
    }
    const parsed = WorkResponse.safeParse(body);
    if (!parsed.success) return parsed;
    const read = assignmentsOf(parsed.data);
    return {
      success: true,
      data: parsed.data.more ? { assignments: read, more: true } : { assignments: read },
    };
  }

  /** Whether the body is usual; if so, its assignments are completed in place. */
  private usual(body: unknown): boolean {
    if (!isRecord(body) || !Array.isArray(body.assignments)) return false;
    // `more` is there only when true.
    if (countKeys(body) !== (body.more === true ? 3 : 2)) return false;
    const jobs = body.jobs;
    if (!isRecord(jobs)) return false;
    for (const id in jobs) {
      const job = jobs[id];
      if (!JOB_ID_KEY.test(id) || !isRecord(job)) return false;
      const { argv0 } = job;
      // A signed job's signature is rare and checked by the schema, not here.
      if (job.signature !== undefined) return false;
      if (countKeys(job) !== (argv0 === undefined ? 2 : 3)) return false;
      if (argv0 !== undefined && typeof argv0 !== 'string') return false;
      if (!this.module.accepts(job.module) || !this.limits.accepts(job.limits)) return false;
      job.argv0 = argv0 ?? DEFAULT_ARGV0;
      // Equal to the last accepted: share those objects.
      job.module = this.module.last;
      job.limits = this.limits.last;
    }
    const entries = body.assignments as unknown[];
    for (const entry of entries) {
      if (!isRecord(entry) || !this.usualEntry(entry, jobs)) return false;
    }
    // Complete only once every entry passed: a body left to the schema stays as it came.
    for (const entry of entries as Body[]) {
      const job = jobs[String(entry.jobId)] as Body;
      entry.module = job.module;
      entry.argv0 = job.argv0;
      entry.limits = job.limits;
    }
    return true;
  }

  /** Whether `a` has the usual shape and a listed job; if so, it is trimmed. */
  private usualEntry(a: Body, jobs: Body): boolean {
    const usual =
      countKeys(a) === ENTRY_KEYS.length &&
      Number.isSafeInteger(a.replicaId) &&
      (a.replicaId as number) > 0 &&
      Number.isSafeInteger(a.taskId) &&
      Number.isSafeInteger(a.jobId) &&
      jobs[String(a.jobId)] !== undefined &&
      Number.isSafeInteger(a.deadline) &&
      Number.isSafeInteger(a.seed) &&
      isStrings(a.args) &&
      isStringRecord(a.env) &&
      isRecord(a.files) &&
      countKeys(a.files) === 0 &&
      (a.stdin === null || this.stdin.accepts(a.stdin));
    if (!usual) return false;
    if (a.stdin !== null) a.stdin = this.stdin.last;
    if (countKeys(a.env as Body) === 0) a.env = EMPTY;
    a.files = EMPTY;
    return true;
  }
}

/**
 * The last value a schema of flat, number- and string-valued objects accepted: a value
 * with the same keys and values passes without the schema.
 */
class Accepted {
  /** The value last accepted (by the schema, or as equal to the one before). */
  last: Body | undefined;

  constructor(private readonly schema: { safeParse(value: unknown): { success: boolean } }) {}

  accepts(value: unknown): boolean {
    if (!isRecord(value)) return false;
    if (this.last !== undefined && sameValues(this.last, value)) return true;
    if (!this.schema.safeParse(value).success) return false;
    this.last = value;
    return true;
  }
}

function sameValues(a: Body, b: Body): boolean {
  let keys = 0;
  for (const key in b) {
    if (a[key] !== b[key]) return false;
    keys += 1;
  }
  return keys === countKeys(a);
}
