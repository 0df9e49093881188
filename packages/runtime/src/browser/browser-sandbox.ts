/**
 * @module The sandbox a browser provider uses: each run in a module Web Worker, so a
 * guest never blocks the page and a runaway one is stopped with `terminate()`.
 */
import type { WorkerFactory } from '../worker-handle.js';
import { WorkerSandbox } from '../worker-sandbox.js';

/**
 * Resolved only when used, and through a name rather than a literal: a bundler that
 * sees `new URL('literal', import.meta.url)` copies the file as a raw asset, which a
 * bundled page (that passes its own `createWorker`) would only carry as dead weight.
 */
const WORKER_FILE = './worker.js';

/** Makes a module worker running `worker.js` (a bundler's copy of it, in a bundled page). */
export type CreateWorker = () => Worker;

const defaultCreateWorker: CreateWorker = () =>
  new Worker(new URL(WORKER_FILE, import.meta.url), { type: 'module' });

const browserWorkerFactory =
  (createWorker: CreateWorker): WorkerFactory =>
  (events) => {
    const worker = createWorker();
    worker.onmessage = (event) => events.onMessage(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      events.onCrash(event.message || 'worker error');
    };
    worker.onmessageerror = () => events.onCrash('message could not be decoded');
    return {
      post: (message) => worker.postMessage(message),
      terminate: () => {
        worker.onmessage = null;
        worker.onerror = null;
        worker.terminate();
      },
    };
  };

/** Runs WASI modules in Web Workers with memory, time and output limits. */
export class BrowserSandbox extends WorkerSandbox {
  /**
   * `createWorker`: how to start a worker. A page bundled by Vite passes
   * `() => new Worker(new URL('./its-worker.js', import.meta.url), { type: 'module' })`
   * around an entry importing `@anygrid/runtime/browser/worker`, so that the bundler sees
   * the worker and bundles it; the default loads `worker.js` beside this file (unbundled).
   */
  constructor(options: { maxWorkers?: number; createWorker?: CreateWorker } = {}) {
    super(
      browserWorkerFactory(options.createWorker ?? defaultCreateWorker),
      options.maxWorkers ?? Math.max(1, (globalThis.navigator?.hardwareConcurrency ?? 2) - 1),
    );
  }
}
