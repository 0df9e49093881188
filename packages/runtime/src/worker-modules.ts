/**
 * @module The modules the pool's workers hold, by number: a module is posted to a worker
 * once, with its number, and later tasks name the number alone; each worker keeps the
 * last `MODULES_PER_WORKER` it was sent, and the host tells it which to forget. Apart
 * from the pool (worker-pool.ts) because it is the pool's one cache, with rules of its
 * own, and it builds each task message.
 */
import { type RunTask, taskOf } from './worker-protocol.js';
import type { Job, Slot } from './worker-slot.js';

/** Modules each worker keeps by number; the host tells it which to forget. */
const MODULES_PER_WORKER = 16;

/** Numbers the pool's modules and tracks which worker holds which. */
export class WorkerModules {
  private readonly moduleIds = new WeakMap<WebAssembly.Module, number>();
  private nextModuleId = 1;

  /** The task message for `job` on `slot`, sending the module if the worker lacks it. */
  task(slot: Slot, job: Job, forget: Set<number>): RunTask {
    let moduleId = this.moduleIds.get(job.module);
    if (moduleId === undefined) {
      moduleId = this.nextModuleId++;
      this.moduleIds.set(job.module, moduleId);
    }
    // Runs of one module follow each other: moving the latest to the end again would
    // leave a deleted entry in the map per task.
    if (slot.latestModule === moduleId)
      return taskOf(job.id, moduleId, undefined, job.spec, job.limits);
    slot.latestModule = moduleId;
    const known = slot.modules.delete(moduleId);
    slot.modules.set(moduleId, true);
    if (known) return taskOf(job.id, moduleId, undefined, job.spec, job.limits);
    forget.delete(moduleId);
    while (slot.modules.size > MODULES_PER_WORKER) {
      const oldest = slot.modules.keys().next().value as number;
      slot.modules.delete(oldest);
      forget.add(oldest);
    }
    return taskOf(job.id, moduleId, job.module, job.spec, job.limits);
  }
}
