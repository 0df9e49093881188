/**
 * @module
 * Runs an assignment that names a native variant (docs/variants.md): fetch the
 * executable by hash (the blob cache refuses bytes that do not hash to its address), check
 * its signature as a wasm module's when it has one or the agent runs only signed code,
 * fetch the inputs, run it in the bubblewrap sandbox (native-runner.ts), and report as
 * the wasm path does, so replicas' outputs compare whichever build made them. An agent
 * without the native runtime refuses such an assignment (`invalid_module`): it never
 * registered one, so no coordinator should have sent it.
 */

import type { Assignment, VariantRun } from '@anygrid/protocol';
import type { RunSpec } from '@anygrid/runtime';
import type { Logger } from 'pino';
import { type BlobCache, BlobCorruptError, BlobFetchError } from './blob-cache.js';
import { platformName } from './host-info.js';
import type { ModuleGate } from './module-gate.js';
import type { NativeRunner } from './native-runner.js';
import { type OutgoingReport, reportFailure, reportRun } from './output-encoding.js';
import { corruptResult } from './saboteur.js';

/** What the task runner needs to run native variants. */
export type NativeRun = Pick<NativeRunner, 'run'>;

/** The task runner's parts a native run uses. */
export interface NativeTaskDeps {
  readonly blobs: Pick<BlobCache, 'get'>;
  readonly logger: Logger;
  readonly corruptOutputs?: boolean;
  readonly gate?: Pick<ModuleGate, 'check'>;
  readonly native?: NativeRun;
  /** The run spec with every input fetched and verified (the task runner's). */
  readonly prepare: (signal: AbortSignal) => Promise<RunSpec>;
}

/** Runs a native assignment to its report; undefined when its signal stopped it. */
export async function runNative(
  assignment: Assignment,
  variant: VariantRun,
  deps: NativeTaskDeps,
  signal: AbortSignal,
): Promise<OutgoingReport | undefined> {
  const { replicaId } = assignment;
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  if (deps.native === undefined || variant.platform !== platformName()) {
    const message = `This host does not run native ${variant.platform} code (it runs them only when started with --allow-native on that platform with bubblewrap working).`;
    return reportFailure(replicaId, 'invalid_module', message, 0);
  }
  // The gate decides on the executable as it does on a wasm module: by its hash and signature.
  const asModule: Assignment = { ...assignment, module: variant.module };
  if (variant.signature === undefined) delete asModule.signature;
  else asModule.signature = variant.signature;
  try {
    const executable = await deps.blobs.get(variant.module, signal);
    const verdict = deps.gate?.check(asModule) ?? null;
    if (verdict) return reportFailure(replicaId, verdict.code, verdict.message, elapsed());
    const spec = await deps.prepare(signal);
    const result = await deps.native.run(executable, spec, signal);
    if (signal.aborted) return undefined;
    return reportRun(replicaId, deps.corruptOutputs ? corruptResult(result) : result);
  } catch (error) {
    if (signal.aborted) return undefined;
    if (error instanceof BlobCorruptError && error.hash === variant.module.hash) {
      const message = `native executable refused: its bytes do not match the variant's hash (${error.message})`;
      return reportFailure(replicaId, 'module_hash_mismatch', message, elapsed());
    }
    if (error instanceof BlobFetchError) {
      return reportFailure(replicaId, 'fetch_failed', error.message, elapsed());
    }
    deps.logger.error({ err: error, replicaId }, 'native task failed inside the agent');
    const message = error instanceof Error ? error.message : String(error);
    return reportFailure(replicaId, 'internal', `agent error: ${message}`, elapsed());
  }
}
