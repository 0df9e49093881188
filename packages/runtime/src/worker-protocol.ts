/**
 * @module The messages between a sandbox host and its worker, and the worker's side of
 * the exchange — shared by the Node worker thread and the browser Web Worker.
 *
 * A request carries the compiled `WebAssembly.Module` (cheap to post within one
 * process) and the spec; the response carries the result, whose byte arrays are
 * transferred rather than copied.
 */
import { runModule } from './run-module.js';
import type { RunResult, RunSpec } from './run-spec.js';

/** Host → worker: run this module. */
export interface RunRequest {
  readonly type: 'run';
  readonly id: number;
  readonly module: WebAssembly.Module;
  readonly spec: RunSpec;
}

/** Worker → host: the run's result. */
export interface RunResponse {
  readonly type: 'result';
  readonly id: number;
  readonly result: RunResult;
}

/** Below this size copying a buffer is cheaper than transferring it (measured: ~0.1 ms per transfer). */
const TRANSFER_MIN_BYTES = 64 * 1024;

/** The large ArrayBuffers of a result, to transfer instead of copy. */
export function resultTransferables(result: RunResult): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const add = (b: Uint8Array) => {
    if (
      b.byteLength >= TRANSFER_MIN_BYTES &&
      b.buffer instanceof ArrayBuffer &&
      b.byteOffset === 0 &&
      b.byteLength === b.buffer.byteLength
    )
      buffers.add(b.buffer);
  };
  add(result.stdout);
  add(result.stderr);
  for (const files of Object.values(result.dirs))
    for (const bytes of Object.values(files)) add(bytes);
  return [...buffers];
}

/** Runs a request inside a worker; a bug in the runtime itself becomes a `trap`, never an unanswered request. */
export async function serveRunRequest(request: RunRequest): Promise<RunResponse> {
  try {
    return {
      type: 'result',
      id: request.id,
      result: await runModule(request.module, request.spec),
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      type: 'result',
      id: request.id,
      result: {
        exitCode: null,
        stdout: new Uint8Array(0),
        stderr: new Uint8Array(0),
        dirs: {},
        failure: { code: 'trap', message: `runtime error: ${message}` },
        durationMs: 0,
      },
    };
  }
}

/**
 * The worker's side: handles requests strictly one after another, even though the host
 * posts the next one before the current one finishes, and posts each response.
 */
export function createRequestHandler(
  post: (response: RunResponse, transfer: ArrayBuffer[]) => void,
): (request: RunRequest) => void {
  let line: Promise<void> = Promise.resolve();
  return (request) => {
    line = line.then(async () => {
      const response = await serveRunRequest(request);
      post(response, resultTransferables(response.result));
    });
  };
}
