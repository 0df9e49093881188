/**
 * @module
 * `@anygrid/cli`: the `anygrid` command (`bin/anygrid.js` runs `main`). Exported for
 * tools that embed it or test its pure parts.
 */

export { buildProgram, main, VERSION } from './main.js';
export { type PlanOptions, planTasks, type TaskPlan } from './task-plan.js';
