/**
 * @module
 * What `grid.submit()` accepts and how it becomes a `CreateJobRequest`: inputs given as
 * text or bytes are uploaded (once per distinct content) and replaced by their `BlobRef`s,
 * and the policy is checked against the protocol schema before anything is uploaded, so
 * a typo fails in milliseconds rather than after a 100 MB upload.
 */

import {
  type BlobRef,
  type CreateJobRequestInput,
  InvalidRequestError,
  JobPolicyInput,
  MAX_JOB_TASKS,
  type RunLimitsWire,
  type TaskSpecInput,
} from '@anygrid/protocol';
import type { BlobUploader } from './blob-uploader.js';
import { toBytes } from './bytes.js';

/** One task: argv, environment, stdin and input files (text is sent as UTF-8). */
export interface TaskInput {
  /** argv[1..]; numbers are turned into strings. */
  readonly args?: readonly (string | number)[];
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: string | Uint8Array;
  /** Files placed in the task's directory, by relative path. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
}

/** Everything `grid.submit()` accepts. */
export interface SubmitOptions {
  /** A path (Node) or URL (browser) of a wasm32-wasi module, its bytes, or an uploaded blob. */
  readonly module: string | Uint8Array | BlobRef;
  readonly tasks: readonly TaskInput[];
  readonly name?: string;
  /** Replicas created at first (default 1). */
  readonly redundancy?: number;
  /** Byte-equal outputs needed to accept a result (default: majority of redundancy). */
  readonly quorum?: number;
  /** Failed replicas tolerated before a task fails. */
  readonly maxErrors?: number;
  /** Replicas a task may ever have. */
  readonly maxTotal?: number;
  /** Time a provider has for one replica. */
  readonly deadlineMs?: number;
  /** Higher runs first, -100..100. */
  readonly priority?: number;
  readonly limits?: Partial<RunLimitsWire>;
  readonly signal?: AbortSignal;
}

/** The job policy of `options`, validated; throws `InvalidRequestError` naming the field. */
export function policyOf(options: SubmitOptions): JobPolicyInput {
  const raw = {
    redundancy: options.redundancy,
    quorum: options.quorum,
    maxErrors: options.maxErrors,
    maxTotal: options.maxTotal,
    deadlineMs: options.deadlineMs,
    priority: options.priority,
    limits: options.limits,
  };
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const parsed = JobPolicyInput.safeParse(defined);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'policy';
    throw new InvalidRequestError(`Invalid ${where}: ${issue?.message ?? 'bad value'}.`, {
      issues: parsed.error.issues,
    });
  }
  return parsed.data;
}

/** Checks the task list's size before any upload. */
export function checkTaskCount(count: number): void {
  if (count < 1) throw new InvalidRequestError('A job needs at least one task.');
  if (count > MAX_JOB_TASKS) {
    throw new InvalidRequestError(
      `A job holds at most ${MAX_JOB_TASKS} tasks (got ${count}); split it into several jobs.`,
    );
  }
}

/**
 * The wire specs of all tasks, uploading their stdin and files. Tasks with neither are
 * converted at once: an async call per task cost ~2 µs, 0.2 s for a job of 100 k.
 */
export async function taskSpecs(
  tasks: readonly TaskInput[],
  blobs: BlobUploader,
): Promise<TaskSpecInput[]> {
  const specs = new Array<TaskSpecInput>(tasks.length);
  const pending: Promise<void>[] = [];
  tasks.forEach((task, i) => {
    if (task.stdin === undefined && (task.files === undefined || isEmpty(task.files))) {
      specs[i] = plainSpec(task);
    } else {
      pending.push(
        taskSpec(task, blobs).then((spec) => {
          specs[i] = spec;
        }),
      );
    }
  });
  await Promise.all(pending);
  return specs;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function isEmpty(record: object): boolean {
  for (const _ in record) return false;
  return true;
}

/** The spec of a task without inputs to upload. */
function plainSpec(task: TaskInput): Mutable<TaskSpecInput> {
  const spec: Mutable<TaskSpecInput> = {};
  if (task.args?.length) spec.args = task.args.map(String);
  if (task.env && !isEmpty(task.env)) spec.env = { ...task.env };
  return spec;
}

/** Uploads a task's stdin and files and returns its wire spec. */
async function taskSpec(task: TaskInput, blobs: BlobUploader): Promise<TaskSpecInput> {
  const files: Record<string, BlobRef> = {};
  await Promise.all(
    Object.entries(task.files ?? {}).map(async ([name, content]) => {
      files[name] = await blobs.ensure(toBytes(content));
    }),
  );
  const spec: Mutable<TaskSpecInput> = plainSpec(task);
  if (task.stdin !== undefined) spec.stdin = await blobs.ensure(toBytes(task.stdin));
  if (Object.keys(files).length) spec.files = files;
  return spec;
}

/** The body of `POST /v1/jobs`. */
export function jobRequest(
  options: SubmitOptions,
  module: BlobRef,
  policy: JobPolicyInput,
  tasks: TaskSpecInput[],
  totalTasks: number = tasks.length,
): CreateJobRequestInput {
  return {
    ...(options.name === undefined ? {} : { name: options.name }),
    module,
    policy,
    tasks,
    ...(totalTasks > tasks.length ? { totalTasks } : {}),
  };
}
