/**
 * @module
 * Task graphs: a task may name, in `dependsOn`, tasks of its job whose validated outputs
 * it needs. This file holds the rule a submission must follow — every parent is a task
 * already sent or one of the same request, and the edges of a request form no cycle —
 * as a pure check the coordinator and the SDK both run, and the names under which a
 * parent's outputs reach its child, so that a program and its docs agree on them.
 *
 * Dependencies only point back across parts of a job sent in parts: a part cannot
 * name a task of a later part (it is unknown when the part arrives), so a cycle can
 * only lie within one request, and checking each request alone is enough.
 */

import { type AnygridError, TaskDependencyUnknownError, TaskGraphCycleError } from './errors.js';

/** Parents one task may have: a reduce over this many maps reads as many input files. */
export const MAX_TASK_PARENTS = 10_000;

/** Folder of a child's working directory that holds its parents' outputs. */
export const PARENTS_DIR = 'parents';

/** Where the validated stdout of parent `index` lies in its child's directory. */
export function parentStdoutPath(index: number): string {
  return `${PARENTS_DIR}/${index}/stdout`;
}

/** Where output file `name` of parent `index` lies in its child's directory. */
export function parentFilePath(index: number, name: string): string {
  return `${PARENTS_DIR}/${index}/files/${name}`;
}

/** What is wrong with a request's graph, naming the tasks by their index in the job. */
export type TaskGraphProblem =
  | {
      readonly kind: 'unknown';
      /** The task whose `dependsOn` names it. */
      readonly task: number;
      /** The index named: not sent before, nor in this request. */
      readonly parent: number;
    }
  | {
      readonly kind: 'cycle';
      /** The tasks of one cycle, each depending on the next, the last on the first. */
      readonly tasks: readonly number[];
    };

/** The part of a task the graph check reads. */
export interface GraphTask {
  readonly dependsOn?: readonly number[] | undefined;
}

/**
 * Checks the dependencies of tasks `firstIndex, firstIndex + 1, …` (one request: a new
 * job has `firstIndex` 0, a part its `from`). A parent below `firstIndex` was sent
 * before; one inside the request must not close a cycle; any other is unknown. Returns
 * the first problem found, or null. Linear in tasks plus edges; iterative, so a chain of
 * a million tasks does not exhaust the stack.
 */
export function checkTaskGraph(
  tasks: readonly GraphTask[],
  firstIndex = 0,
): TaskGraphProblem | null {
  const end = firstIndex + tasks.length;
  let hasEdges = false;
  for (let i = 0; i < tasks.length; i++) {
    const deps = tasks[i]?.dependsOn;
    if (deps === undefined) continue;
    for (const parent of deps) {
      if (!Number.isInteger(parent) || parent < 0 || parent >= end) {
        return { kind: 'unknown', task: firstIndex + i, parent };
      }
      if (parent >= firstIndex) hasEdges = true;
    }
  }
  return hasEdges ? findCycle(tasks, firstIndex) : null;
}

const WHITE = 0;
const GREY = 1;
const BLACK = 2;

/** A depth-first search with its own stack: a grey task met again closes a cycle. */
function findCycle(tasks: readonly GraphTask[], firstIndex: number): TaskGraphProblem | null {
  const colour = new Uint8Array(tasks.length);
  // Per open task: its position in the request and how many of its parents were followed.
  const stack: number[] = [];
  const next: number[] = [];
  for (let root = 0; root < tasks.length; root++) {
    if (colour[root] !== WHITE) continue;
    colour[root] = GREY;
    stack.push(root);
    next.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const at = stack[top] as number;
      const deps = tasks[at]?.dependsOn ?? [];
      const k = next[top] as number;
      if (k === deps.length) {
        colour[at] = BLACK;
        stack.pop();
        next.pop();
        continue;
      }
      next[top] = k + 1;
      const parent = (deps[k] as number) - firstIndex;
      if (parent < 0) continue;
      if (colour[parent] === GREY) {
        const from = stack.indexOf(parent);
        return { kind: 'cycle', tasks: stack.slice(from).map((t) => t + firstIndex) };
      }
      if (colour[parent] === WHITE) {
        colour[parent] = GREY;
        stack.push(parent);
        next.push(0);
      }
    }
  }
  return null;
}

/** The error a requester gets for a graph problem (HTTP 422, code named after the problem). */
export function taskGraphError(problem: TaskGraphProblem): AnygridError {
  return problem.kind === 'unknown'
    ? new TaskDependencyUnknownError(problem.task, problem.parent)
    : new TaskGraphCycleError(problem.tasks);
}
