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

/** The ArrayBuffers of a result, to transfer instead of copy. */
export function resultTransferables(result: RunResult): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const add = (b: Uint8Array) => {
    if (
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
