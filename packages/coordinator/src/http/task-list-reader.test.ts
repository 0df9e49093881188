import {
  AddTasksRequest,
  CreateJobRequest,
  MAX_TASK_ARGV_ENV_BYTES,
  MAX_TASKS_PER_JOB,
} from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { AddTasksReader, CreateJobReader, FAST_PATH_MATCHES_PROTOCOL } from './task-list-reader.js';

const HASH = 'cd'.repeat(32);
const MODULE = { hash: HASH, size: 10 };

/** Values tried in each field of a task, valid and not. */
const TASK_VARIANTS: unknown[] = [
  {},
  { args: [] },
  { args: ['a', 'b'] },
  { args: ['x'.repeat(4097)] },
  { args: Array.from({ length: 257 }, String) },
  // The argv + environment byte bound, exactly at it and one byte over, in ASCII,
  // 3-byte and 4-byte characters and with the environment's share.
  { args: ['x'.repeat(MAX_TASK_ARGV_ENV_BYTES - 1)] },
  { args: ['x'.repeat(MAX_TASK_ARGV_ENV_BYTES)] },
  { args: ['x'.repeat(100_000), 'y'.repeat(MAX_TASK_ARGV_ENV_BYTES - 100_002)] },
  { args: ['€'.repeat((MAX_TASK_ARGV_ENV_BYTES - 1) / 3)] },
  { args: ['€'.repeat((MAX_TASK_ARGV_ENV_BYTES - 1) / 3), ''] },
  { args: ['😀'.repeat(65_535), 'abc'] },
  { args: ['😀'.repeat(65_535), 'abcd'] },
  { args: Array.from({ length: MAX_TASK_ARGV_ENV_BYTES / 2 }, () => 'a') },
  { args: Array.from({ length: MAX_TASK_ARGV_ENV_BYTES / 2 + 1 }, () => 'a') },
  { args: ['x'.repeat(MAX_TASK_ARGV_ENV_BYTES - 9)], env: { A: 'bcdef' } },
  { args: ['x'.repeat(MAX_TASK_ARGV_ENV_BYTES - 9)], env: { A: 'bcdefg' } },
  { env: { A: 'x'.repeat(MAX_TASK_ARGV_ENV_BYTES - 3) } },
  { env: { A: 'x'.repeat(MAX_TASK_ARGV_ENV_BYTES - 2) } },
  { args: [1] },
  { args: 'a' },
  { env: {} },
  { env: { HOME: '/tmp', _X1: '' } },
  { env: { '1X': 'a' } },
  { env: { 'A-B': 'a' } },
  { env: { A: 1 } },
  { env: { A: 'x'.repeat(4097) } },
  { env: [] },
  { stdin: { hash: HASH, size: 3 } },
  { stdin: { hash: HASH, size: -3 } },
  { stdin: { hash: HASH.toUpperCase(), size: 3 } },
  { stdin: { hash: HASH, size: 3, data: '' } },
  { stdin: null },
  { files: {} },
  { files: { 'in/a.txt': { hash: HASH, size: 1 } } },
  { files: { '../a': { hash: HASH, size: 1 } } },
  { files: [] },
  { args: ['a'], surprise: 1 },
  null,
  'task',
  [],
  JSON.parse(`{"env":{"__proto__":"x"}}`),
];

function createBodies(): unknown[] {
  const out: unknown[] = [];
  for (const task of TASK_VARIANTS) {
    out.push({ module: MODULE, tasks: [{ args: ['0'] }, task] });
  }
  out.push(
    { module: MODULE, tasks: [] },
    { module: MODULE, tasks: [{}], totalTasks: 1 },
    { module: MODULE, tasks: [{}, {}], totalTasks: 1 },
    { module: MODULE, tasks: [{}, {}], totalTasks: 2.5 },
    { module: MODULE, tasks: [{}, {}], totalTasks: '5' },
    { module: MODULE, tasks: [{}, {}], totalTasks: 5, name: 'n', policy: { redundancy: 2 } },
    { module: MODULE, tasks: [{}], policy: { redundancy: 99 } },
    { module: MODULE, tasks: [{}], name: '' },
    { module: { hash: HASH }, tasks: [{}] },
    { module: MODULE, tasks: [{}], extra: true },
    { tasks: [{}] },
    { module: MODULE, tasks: {} },
    { module: MODULE, tasks: Array.from({ length: MAX_TASKS_PER_JOB + 1 }, () => ({})) },
    null,
  );
  return out;
}

function partBodies(): unknown[] {
  return [
    ...TASK_VARIANTS.map((task) => ({ from: 3, tasks: [{ args: ['1'] }, task] })),
    { from: 0, tasks: [{}] },
    { from: 3, tasks: [] },
    { from: 3, tasks: [{}], more: 1 },
    { tasks: [{}] },
  ];
}

function compare(
  reader: { safeParse(v: unknown): { success: boolean; data?: unknown } },
  schema: { safeParse(v: unknown): { success: boolean; data?: unknown } },
  bodies: unknown[],
): number {
  let accepted = 0;
  for (const body of bodies) {
    const expected = schema.safeParse(structuredClone(body));
    const actual = reader.safeParse(structuredClone(body));
    expect(actual.success, JSON.stringify(body)?.slice(0, 200)).toBe(expected.success);
    if (expected.success) {
      expect(actual.data).toEqual(expected.data);
      accepted++;
    }
  }
  return accepted;
}

describe('task list readers', () => {
  it('know every key of the protocol task', () => {
    expect(FAST_PATH_MATCHES_PROTOCOL).toBe(true);
  });

  it('accept exactly the job bodies the schema accepts, with the same values', () => {
    expect(compare(CreateJobReader, CreateJobRequest, createBodies())).toBeGreaterThan(10);
  });

  it('accept exactly the parts the schema accepts, with the same values', () => {
    expect(compare(AddTasksReader, AddTasksRequest, partBodies())).toBeGreaterThan(10);
  });

  it('keep the tasks of a usual job in place, with the schema defaults', () => {
    const tasks = [{ args: ['1'] }, {}];
    const result = CreateJobReader.safeParse({ module: MODULE, tasks });
    expect(result.success && result.data.tasks).toBe(tasks);
    expect(tasks[1]).toEqual({ args: [], env: {}, files: {} });
    expect(result.data?.policy).toEqual({});
  });

  it('give the schema error for a bad task', () => {
    const result = CreateJobReader.safeParse({
      module: MODULE,
      tasks: [{ args: ['ok'] }, { args: [7] }],
    });
    expect(result.error?.issues[0]?.path).toEqual(['tasks', 1, 'args', 0]);
  });
});
