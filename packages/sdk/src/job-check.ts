/**
 * @module
 * The whole job checked against the protocol's schemas before a single byte is uploaded:
 * a refused submit must not first send a 100 MB module. Each task's wire spec is built
 * with its inputs standing in as references of the right size (their hashes are not
 * known until upload, and not needed to judge them), and checked as the coordinator
 * will check it. Plain tasks (argv and environment only, nearly every task of a large
 * job) take the protocol's schema-free check, so a 100 k-task job costs milliseconds;
 * anything else, and any task that check refuses, goes through the schema, which
 * decides and names the field.
 */

import {
  type BlobRef,
  CreateJobRequest,
  checkTaskGraph,
  InvalidRequestError,
  isPlainCommandLine,
  type JobPolicyInput,
  MAX_JOB_TASKS,
  MAX_TASKS_PER_JOB,
  TaskSpec,
  type TaskSpecInput,
  taskGraphError,
  utf8Bytes,
} from '@anygrid/protocol';
import type { z } from 'zod';
import type { SubmitOptions, TaskInput } from './submit-options.js';

/** Stands in for an input's hash until it is uploaded. */
const UNKNOWN_HASH = '0'.repeat(64);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Checks the job and returns each task's wire spec: final for plain tasks, with
 * stand-in references for inputs still to upload. Throws `InvalidRequestError` naming
 * the first bad field (`tasks.12.args`, `argv0`, …).
 */
export function checkJob(
  options: SubmitOptions,
  policy: JobPolicyInput,
  module: BlobRef,
): TaskSpecInput[] {
  checkTaskCount(options.tasks.length);
  const specs = new Array<TaskSpecInput>(options.tasks.length);
  options.tasks.forEach((task, i) => {
    const spec = plainSpec(task);
    specs[i] = spec;
    if (isPlain(task) && spec.dependsOn === undefined && isPlainCommandLine(spec.args, spec.env)) {
      return;
    }
    if (task.stdin !== undefined) spec.stdin = standIn(task.stdin);
    if (task.files !== undefined) {
      spec.files = Object.fromEntries(
        Object.entries(task.files).map(([name, content]) => [name, standIn(content)]),
      );
    }
    const parsed = TaskSpec.safeParse(spec);
    if (!parsed.success) throw invalid(parsed.error, ['tasks', i]);
  });
  checkGraph(specs);
  // Name, argv0, module and totals: the request as it will be sent, with one task.
  const argv0 = argv0Of(options);
  const head = CreateJobRequest.safeParse({
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(argv0 === undefined ? {} : { argv0 }),
    ...(options.signature === undefined ? {} : { signature: options.signature }),
    module,
    policy,
    tasks: specs.slice(0, 1),
  });
  if (!head.success) throw invalid(head.error, []);
  return specs;
}

/**
 * Refuses unknown parents and cycles as the coordinator would, request by request: a job
 * sent in parts (`MAX_TASKS_PER_JOB` tasks each) may only name tasks of its own or an
 * earlier part.
 */
function checkGraph(specs: readonly TaskSpecInput[]): void {
  if (!specs.some((s) => s.dependsOn !== undefined)) return;
  for (let from = 0; from < specs.length; from += MAX_TASKS_PER_JOB) {
    const problem = checkTaskGraph(specs.slice(from, from + MAX_TASKS_PER_JOB), from);
    if (problem) throw taskGraphError(problem);
  }
}

/** `\0asm` and version 1: the first eight bytes of every WebAssembly binary module. */
const WASM_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/**
 * Refuses bytes that are not a WebAssembly binary before they are uploaded: otherwise
 * the job is accepted and every one of its tasks fails on the providers.
 */
export function checkModuleBytes(bytes: Uint8Array, name: string): void {
  if (WASM_HEADER.every((b, i) => bytes[i] === b)) return;
  throw new InvalidRequestError(
    `${name} is not a WebAssembly module (a .wasm file starts with the bytes \\0asm and version 1); ` +
      'build the program for wasm32-wasi, e.g. with clang --target=wasm32-wasi.',
  );
}

/** Checks the task list's size. */
export function checkTaskCount(count: number): void {
  if (count < 1) throw new InvalidRequestError('A job needs at least one task.');
  if (count > MAX_JOB_TASKS) {
    throw new InvalidRequestError(
      `A job holds at most ${MAX_JOB_TASKS} tasks (got ${count}); split it into several jobs.`,
    );
  }
}

/** Whether a task has nothing to upload. */
export function isPlain(task: TaskInput): boolean {
  return task.stdin === undefined && (task.files === undefined || isEmpty(task.files));
}

/** The spec of a task's argv and environment (numbers in argv become strings). */
export function plainSpec(task: TaskInput): Mutable<TaskSpecInput> {
  const spec: Mutable<TaskSpecInput> = {};
  if (task.args?.length) spec.args = task.args.map(String);
  if (task.env && !isEmpty(task.env)) spec.env = { ...task.env };
  if (task.dependsOn?.length) spec.dependsOn = [...task.dependsOn];
  return spec;
}

function isEmpty(record: object): boolean {
  for (const _ in record) return false;
  return true;
}

/** Content as a reference of its size, its hash unknown until it is uploaded. */
export function standIn(content: string | Uint8Array): BlobRef {
  const size = typeof content === 'string' ? utf8Bytes(content) : content.byteLength;
  return { hash: UNKNOWN_HASH, size };
}

function invalid(error: z.ZodError, prefix: readonly (string | number)[]): InvalidRequestError {
  const issue = error.issues[0];
  const path = [...prefix, ...(issue?.path ?? [])].map(String);
  const where = path.join('.') || 'job';
  return new InvalidRequestError(`Invalid ${where}: ${issue?.message ?? 'bad value'}.`, {
    path: where,
    issues: error.issues,
  });
}

/**
 * argv[0] the job's tasks get: as given, else the module's file name when it is a path
 * or URL, else none (the coordinator's default, `main.wasm`).
 */
export function argv0Of(options: SubmitOptions): string | undefined {
  if (options.argv0 !== undefined || typeof options.module !== 'string') return options.argv0;
  const path = options.module.replace(/[?#].*$/, '');
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  return name || undefined;
}
