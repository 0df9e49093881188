/**
 * @module The sandbox a browser provider uses: each run in a module Web Worker, so a
 * guest never blocks the page and a runaway one is stopped with `terminate()`.
 */
import type { WorkerFactory } from '../worker-pool.js';
import { WorkerSandbox } from '../worker-sandbox.js';

const workerUrl = new URL('./worker.js', import.meta.url);

const browserWorkerFactory: WorkerFactory = (events) => {
  const worker = new Worker(workerUrl, { type: 'module' });
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
  constructor(options: { maxWorkers?: number } = {}) {
    super(
      browserWorkerFactory,
      options.maxWorkers ?? Math.max(1, (globalThis.navigator?.hardwareConcurrency ?? 2) - 1),
    );
  }
}
