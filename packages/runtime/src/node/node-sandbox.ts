/**
 * @module The sandbox a Node provider uses: each run in a worker thread.
 *
 * A worker thread isolates the guest's stack, memory and any runaway loop from the
 * agent's event loop; terminating it stops a WebAssembly infinite loop at once, which
 * nothing can do from inside the thread running the loop. Idle workers are unref'd so an
 * idle sandbox never keeps Node alive.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WorkerFactory } from '../worker-handle.js';
import { WorkerSandbox } from '../worker-sandbox.js';

const workerUrl = new URL('./worker.js', import.meta.url);

const nodeWorkerFactory =
  (heapMb: number): WorkerFactory =>
  (events) => {
    // A heap cap makes a runaway worker die alone (ERR_WORKER_OUT_OF_MEMORY) instead of
    // taking the agent with it; guest memory and file bytes live outside this heap.
    const worker = new Worker(workerUrl, { resourceLimits: { maxOldGenerationSizeMb: heapMb } });
    worker.unref();
    worker.on('message', events.onMessage);
    worker.on('error', (error) => events.onCrash(error.message));
    worker.on('exit', (code) => events.onCrash(`worker exited with code ${code}`));
    return {
      post: (message) => worker.postMessage(message),
      terminate: () => {
        worker.removeAllListeners();
        worker.on('error', () => {});
        void worker.terminate();
      },
      setBusy: (busy) => (busy ? worker.ref() : worker.unref()),
    };
  };

/** Runs WASI modules in Node worker threads with memory, time and output limits. */
export class NodeSandbox extends WorkerSandbox {
  /** `maxWorkers` defaults to the number of cores; `workerHeapMb` (default 512) caps each worker's JS heap. */
  constructor(options: { maxWorkers?: number; workerHeapMb?: number } = {}) {
    super(
      nodeWorkerFactory(options.workerHeapMb ?? 512),
      options.maxWorkers ?? availableParallelism(),
      // Hashes in place; Web Crypto's digest copies the bytes first (~200 ms for 50 MB here).
      (bytes) => createHash('sha256').update(bytes).digest('hex'),
    );
  }
}
