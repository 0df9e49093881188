import {
  MAX_TASKS_PER_JOB,
  TaskDependencyUnknownError,
  TaskGraphCycleError,
} from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { checkJob } from './job-check.js';

const MODULE = { hash: 'b'.repeat(64), size: 12 };
const check = (tasks: Parameters<typeof checkJob>[0]['tasks']) =>
  checkJob({ module: MODULE, tasks }, {}, MODULE);

describe('checkJob with dependencies', () => {
  it('keeps dependsOn in the wire specs, plain tasks and tasks with files alike', () => {
    const specs = check([
      { args: ['map'], files: { 'input.txt': 'text' } },
      { args: ['reduce'], dependsOn: [0] },
    ]);
    expect(specs[1]).toEqual({ args: ['reduce'], dependsOn: [0] });
  });

  it('refuses a cycle and an unknown index before anything is uploaded', () => {
    expect(() => check([{ dependsOn: [1] }, { dependsOn: [0] }])).toThrow(TaskGraphCycleError);
    expect(() => check([{ dependsOn: [2] }, {}])).toThrow(TaskDependencyUnknownError);
    expect(() => check([{ dependsOn: [-1] }])).toThrow(/tasks\.0\.dependsOn/);
  });

  it('refuses a task of one part that depends on a later part', () => {
    const tasks = Array.from({ length: MAX_TASKS_PER_JOB + 1 }, () => ({ args: ['x'] }));
    expect(() => check([{ dependsOn: [MAX_TASKS_PER_JOB] }, ...tasks.slice(1)])).toThrow(
      TaskDependencyUnknownError,
    );
    // Pointing back to an earlier part is fine.
    const back = check([...tasks.slice(0, -1), { dependsOn: [0] }]);
    expect(back.at(-1)).toEqual({ dependsOn: [0] });
  });
});
