/**
 * @module
 * Runs one assignment in the page, as the Node agent's task runner does: fetch the
 * module (by hash, cached) and the inputs, check every hash, compile under the job's
 * memory cap, run in a sandbox Web Worker with the job's limits and seed, and encode the
 * report with the agent's own encoder. Whatever goes wrong becomes an error report with
 * the code the agent would send; a run stopped by its signal (cancelled, tab closing)
 * reports nothing.
 */

import {
  type CoordinatorClient,
  type OutgoingReport,
  reportFailure,
  reportRun,
} from '@anygrid/agent/browser';
import { type Assignment, type BlobRef, RelativePath } from '@anygrid/protocol';
import { CHECKPOINT_STATE, ModuleError, type RunResult, type RunSpec } from '@anygrid/runtime';
import { HashMismatchError, sha256Of } from './content-address.js';
import type { ModuleStore } from './module-store.js';

/** What a run needs of a sandbox: `BrowserSandbox` fits. */
export interface PageSandbox {
  compile(bytes: Uint8Array, memoryBytes?: number): Promise<WebAssembly.Module>;
  run(
    module: WebAssembly.Module,
    spec: RunSpec,
    options?: { signal?: AbortSignal },
  ): Promise<RunResult>;
}

export interface TaskRunDeps {
  readonly client: Pick<CoordinatorClient, 'getBlob'>;
  readonly sandbox: PageSandbox;
  readonly modules: ModuleStore;
}

/** An input the page could not get: `fetch_failed`. */
class FetchFailed extends Error {}

/** The run's report with how long the guest ran, or undefined when `signal` stopped it. */
export async function runTask(
  assignment: Assignment,
  deps: TaskRunDeps,
  signal: AbortSignal,
): Promise<{ outgoing: OutgoingReport; result?: RunResult } | undefined> {
  const started = performance.now();
  const { replicaId } = assignment;
  try {
    const bytes = await deps.modules.get(assignment.module, () =>
      download(deps, assignment.module, signal),
    );
    const module = await deps.sandbox.compile(bytes, assignment.limits.memoryBytes);
    const spec = await specOf(assignment, deps, signal);
    const result = await deps.sandbox.run(module, spec, { signal });
    if (signal.aborted) return undefined;
    return { outgoing: reportRun(replicaId, result), result };
  } catch (error) {
    if (signal.aborted) return undefined;
    const elapsed = performance.now() - started;
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof HashMismatchError && error.hash === assignment.module.hash) {
      const why = `module refused: its bytes do not match the job's module hash (${message})`;
      return { outgoing: reportFailure(replicaId, 'module_hash_mismatch', why, elapsed) };
    }
    if (error instanceof ModuleError) {
      return { outgoing: reportFailure(replicaId, error.code, message, elapsed) };
    }
    if (error instanceof FetchFailed || error instanceof HashMismatchError) {
      return { outgoing: reportFailure(replicaId, 'fetch_failed', message, elapsed) };
    }
    return { outgoing: reportFailure(replicaId, 'internal', `page error: ${message}`, elapsed) };
  }
}

async function specOf(
  assignment: Assignment,
  deps: TaskRunDeps,
  signal: AbortSignal,
): Promise<RunSpec> {
  const files: Record<string, Uint8Array> = {};
  for (const [name, ref] of Object.entries(assignment.files)) {
    if (!RelativePath.safeParse(name).success) {
      throw new FetchFailed(
        `Input file name ${JSON.stringify(name.slice(0, 100))} is not a relative path.`,
      );
    }
    files[name] = await download(deps, ref, signal);
  }
  // The replica it replaces got this far: the program reads it back at start.
  if (assignment.checkpoint)
    files[CHECKPOINT_STATE] = await download(deps, assignment.checkpoint, signal);
  const spec: { -readonly [K in keyof RunSpec]: RunSpec[K] } = {
    program: assignment.argv0,
    args: assignment.args,
    dirs: { '/': files },
    limits: assignment.limits,
    seed: assignment.seed,
  };
  if (Object.keys(assignment.env).length > 0) spec.env = assignment.env;
  if (assignment.stdin) spec.stdin = await download(deps, assignment.stdin, signal);
  return spec;
}

/** A blob's bytes, checked against its hash. */
async function download(deps: TaskRunDeps, ref: BlobRef, signal: AbortSignal): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await deps.client.getBlob(ref.hash, ref.size, signal);
  } catch (error) {
    if (signal.aborted) throw error;
    throw new FetchFailed(
      `blob ${ref.hash}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const actual = await sha256Of(bytes);
  if (actual !== ref.hash) throw new HashMismatchError(ref.hash, actual);
  return bytes;
}
