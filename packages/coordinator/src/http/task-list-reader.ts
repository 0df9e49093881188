/**
 * @module
 * Reads the task lists of `POST /v1/jobs` and `POST /v1/jobs/{id}/tasks`. The
 * protocol's schemas are the authority, but checking and copying each task through zod
 * took ~2.5 µs, a quarter of a second for a 100 k-task job during which no provider
 * could start. Nearly every task is argv, maybe an environment and stdin, no input
 * files: such tasks are checked here in place, against the same rules the schema
 * states, and given its defaults. The rest of the body (name, module, policy, totals)
 * goes through the schema with the list cut to its first task, and the list's length
 * is checked against the schema's own bounds. Anything else — input files, an
 * unfamiliar key or value, a list out of bounds — sends the whole body through the
 * schema, which accepts it or says why not. When the schema's keys are not the ones
 * this file knows (the protocol changed), every body goes through the schema.
 */

import {
  AddTasksRequest,
  BlobRef,
  CreateJobRequest,
  countKeys,
  hasBlobAddress,
  isPlainCommandLine,
  isRecord,
  MAX_TASKS_PER_JOB,
  sameMembers,
  TaskSpec,
} from '@anygrid/protocol';
import type { z } from 'zod';
import type { Checker } from './validate.js';

/** The task's keys; a task with `dependsOn` (a graph) is left to the schema. */
const TASK_KEYS = ['args', 'env', 'stdin', 'files', 'dependsOn'];
const BLOB_KEYS = ['hash', 'size'];

/** Whether the protocol's task has exactly the keys checked here. */
export const FAST_PATH_MATCHES_PROTOCOL =
  sameMembers(Object.keys(TaskSpec.shape), TASK_KEYS) &&
  sameMembers(Object.keys(BlobRef.shape), BLOB_KEYS) &&
  sameMembers(Object.keys(AddTasksRequest.shape), ['from', 'tasks']);

const NO_ARGS: readonly string[] = Object.freeze([]);
const EMPTY: Readonly<Record<string, never>> = Object.freeze({});

/** A reader for a body with a `tasks` list, deferring to `schema` for everything else. */
function taskListReader<T extends { tasks: TaskSpec[] }>(
  schema: Checker<T>,
  /** The schema's rules about the list's length beyond its bounds (e.g. `totalTasks`). */
  lengthAllowed: (body: Record<string, unknown>, length: number) => boolean,
): Checker<T> {
  return {
    safeParse(body: unknown): z.ZodSafeParseResult<T> {
      if (!FAST_PATH_MATCHES_PROTOCOL || !isRecord(body)) return schema.safeParse(body);
      const { tasks } = body;
      if (
        !Array.isArray(tasks) ||
        tasks.length < 1 ||
        tasks.length > MAX_TASKS_PER_JOB ||
        !lengthAllowed(body, tasks.length) ||
        !tasks.every(usualTask)
      ) {
        return schema.safeParse(body);
      }
      const head = schema.safeParse({ ...body, tasks: tasks.slice(0, 1) });
      if (!head.success) return schema.safeParse(body);
      return { success: true, data: { ...head.data, tasks: tasks as TaskSpec[] } };
    },
  };
}

export const CreateJobReader = taskListReader(
  CreateJobRequest,
  (body, length) =>
    body.totalTasks === undefined ||
    (typeof body.totalTasks === 'number' && body.totalTasks >= length),
);

export const AddTasksReader = taskListReader(AddTasksRequest, () => true);

/** Whether a task has the usual shape; if so, it gets the schema's defaults in place. */
function usualTask(task: unknown): boolean {
  if (!isRecord(task)) return false;
  for (const key in task) {
    if (key !== 'args' && key !== 'env' && key !== 'stdin' && key !== 'files') return false;
  }
  const { args, env, stdin, files } = task;
  const usual =
    isPlainCommandLine(args, env) &&
    (stdin === undefined || usualBlob(stdin)) &&
    (files === undefined || (isRecord(files) && countKeys(files) === 0));
  if (!usual) return false;
  // Shared, frozen defaults: these lists live until their chunk is written, and a
  // hundred thousand empty copies would cost collections for nothing.
  if (args === undefined) task.args = NO_ARGS;
  if (env === undefined) task.env = EMPTY;
  if (files === undefined) task.files = EMPTY;
  return true;
}

function usualBlob(value: unknown): boolean {
  return isRecord(value) && countKeys(value) === 2 && hasBlobAddress(value);
}
