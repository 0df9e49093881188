import { describe, expect, it } from 'vitest';
import { TaskDependencyUnknownError, TaskGraphCycleError } from './errors.js';
import { TaskSpec } from './job.js';
import { checkTaskGraph, MAX_TASK_PARENTS, taskGraphError } from './task-graph.js';

const tasks = (...deps: Array<number[] | undefined>) => deps.map((dependsOn) => ({ dependsOn }));

describe('checkTaskGraph', () => {
  it('accepts tasks without dependencies, a map-reduce, and parents listed after their child', () => {
    expect(checkTaskGraph(tasks(undefined, undefined))).toBeNull();
    expect(checkTaskGraph(tasks(undefined, undefined, undefined, [0, 1, 2]))).toBeNull();
    expect(checkTaskGraph(tasks([1, 2], [2], undefined))).toBeNull();
    // A diamond: two paths to one parent are no cycle.
    expect(checkTaskGraph(tasks(undefined, [0], [0], [1, 2]))).toBeNull();
  });

  it('names the task and the parent it does not know', () => {
    expect(checkTaskGraph(tasks(undefined, [0, 2]))).toEqual({
      kind: 'unknown',
      task: 1,
      parent: 2,
    });
    expect(checkTaskGraph(tasks([-1]))).toMatchObject({ kind: 'unknown', parent: -1 });
  });

  it('finds a cycle and lists it in dependency order', () => {
    expect(checkTaskGraph(tasks([0]))).toEqual({ kind: 'cycle', tasks: [0] });
    expect(checkTaskGraph(tasks(undefined, [2], [3], [1]))).toEqual({
      kind: 'cycle',
      tasks: [1, 2, 3],
    });
  });

  it('checks a later part against the tasks sent before it', () => {
    // Tasks 5 and 6: 5 depends on 0 (sent before) and 6; 6 on 5 would close a cycle.
    expect(checkTaskGraph(tasks([0, 6], undefined), 5)).toBeNull();
    expect(checkTaskGraph(tasks([0, 6], [5]), 5)).toEqual({ kind: 'cycle', tasks: [5, 6] });
    expect(checkTaskGraph(tasks([7]), 5)).toEqual({ kind: 'unknown', task: 5, parent: 7 });
  });

  it('walks a chain of 200 000 tasks without exhausting the stack', () => {
    const n = 200_000;
    const chain = Array.from({ length: n }, (_, i) => ({ dependsOn: i + 1 < n ? [i + 1] : [] }));
    expect(checkTaskGraph(chain)).toBeNull();
    (chain[n - 1] as { dependsOn: number[] }).dependsOn = [0];
    const problem = checkTaskGraph(chain);
    expect(problem?.kind).toBe('cycle');
    expect(problem?.kind === 'cycle' && problem.tasks.length).toBe(n);
  });

  it('turns each problem into its error class, naming the tasks', () => {
    const unknown = taskGraphError({ kind: 'unknown', task: 3, parent: 9 });
    expect(unknown).toBeInstanceOf(TaskDependencyUnknownError);
    expect(unknown).toMatchObject({
      code: 'TASK_DEPENDENCY_UNKNOWN',
      details: { task: 3, parent: 9 },
    });
    const cycle = taskGraphError({ kind: 'cycle', tasks: [1, 2] });
    expect(cycle).toBeInstanceOf(TaskGraphCycleError);
    expect(cycle.message).toContain('1 -> 2 -> 1');
  });
});

describe('TaskSpec.dependsOn', () => {
  it('takes indexes, and refuses negative, fractional or too many', () => {
    expect(TaskSpec.parse({ dependsOn: [0, 3] }).dependsOn).toEqual([0, 3]);
    expect(TaskSpec.parse({}).dependsOn).toBeUndefined();
    expect(TaskSpec.safeParse({ dependsOn: [-1] }).success).toBe(false);
    expect(TaskSpec.safeParse({ dependsOn: [1.5] }).success).toBe(false);
    const many = Array.from({ length: MAX_TASK_PARENTS + 1 }, (_, i) => i);
    expect(TaskSpec.safeParse({ dependsOn: many }).success).toBe(false);
  });
});
