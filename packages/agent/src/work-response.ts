/**
 * @module
 * Reads the coordinator's answer to `POST /v1/work`. The protocol's `WorkResponse`
 * schema is the authority, but zod checking and copying every assignment cost more than
 * parsing its JSON, thousands of times a second. Assignments come in runs of one job
 * that differ only in numbers and arguments, so a body whose assignments all have the
 * usual shape is checked here in place: module, stdin and limits are compared with ones
 * the schema accepted before, and the rest are plain type checks. Anything else — input
 * files, an unfamiliar key, a value out of the ordinary — goes through the schema,
 * which accepts it or says why not. When the schema's keys are not the ones this file
 * knows (the protocol changed), every body goes through the schema.
 *
 * A body read in place is also trimmed in place: each assignment's module, stdin and
 * limits become the equal objects accepted before, and an empty environment or file
 * list one shared frozen object. Assignments wait in the agent's buffer long enough to
 * outlive a young-generation collection or two; their copies of the same values would
 * be copied and promoted with them, these die at once.
 */

import {
  Assignment,
  BlobRef,
  countKeys,
  isRecord,
  isStringRecord,
  isStrings,
  RunLimitsSchema,
  sameMembers,
  WorkResponse,
} from '@anygrid/protocol';

/** The keys of an assignment this fast path checks, every one of them. */
const ASSIGNMENT_KEYS = [
  'replicaId',
  'taskId',
  'jobId',
  'module',
  'args',
  'env',
  'stdin',
  'files',
  'limits',
  'deadline',
  'seed',
];

/** Whether the protocol's assignment has exactly the keys checked here. */
export const FAST_PATH_MATCHES_PROTOCOL = sameMembers(
  Object.keys(Assignment.shape),
  ASSIGNMENT_KEYS,
);

type Body = Record<string, unknown>;

/** The environment and file list of nearly every assignment. */
const EMPTY: Body = Object.freeze({});

/** Checks work answers, remembering the last module, stdin and limits the schema accepted. */
export class WorkResponseReader {
  private module = new Accepted(BlobRef);
  private stdin = new Accepted(BlobRef);
  private limits = new Accepted(RunLimitsSchema);

  /** The body as a `WorkResponse`, or the schema's error; shaped as zod's `safeParse`. */
  safeParse(body: unknown): ReturnType<typeof WorkResponse.safeParse> {
    if (FAST_PATH_MATCHES_PROTOCOL && this.usual(body)) {
      return { success: true, data: body as WorkResponse };
    }
    return WorkResponse.safeParse(body);
  }

  private usual(body: unknown): boolean {
    if (!isRecord(body) || countKeys(body) !== 1 || !Array.isArray(body.assignments)) {
      return false;
    }
    for (const assignment of body.assignments as unknown[]) {
      if (!isRecord(assignment) || !this.usualAssignment(assignment)) return false;
    }
    return true;
  }

  /** Whether `a` has the usual shape; if so, it is trimmed (see the module comment). */
  private usualAssignment(a: Body): boolean {
    const usual =
      countKeys(a) === ASSIGNMENT_KEYS.length &&
      Number.isSafeInteger(a.replicaId) &&
      (a.replicaId as number) > 0 &&
      Number.isSafeInteger(a.taskId) &&
      Number.isSafeInteger(a.jobId) &&
      Number.isSafeInteger(a.deadline) &&
      Number.isSafeInteger(a.seed) &&
      isStrings(a.args) &&
      isStringRecord(a.env) &&
      isRecord(a.files) &&
      countKeys(a.files) === 0 &&
      (a.stdin === null || this.stdin.accepts(a.stdin)) &&
      this.module.accepts(a.module) &&
      this.limits.accepts(a.limits);
    if (!usual) return false;
    a.module = this.module.last;
    if (a.stdin !== null) a.stdin = this.stdin.last;
    a.limits = this.limits.last;
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
