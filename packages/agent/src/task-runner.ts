/**
 * @module
 * Runs one assignment from start to report: fetch the module and inputs by hash, check
 * the module may run here (its bytes match its hash, its signature a trusted key: the
 * `ModuleGate`), get it compiled under the job's memory cap, run it in the sandbox with
 * the job's limits and seed, and encode what came out. Anything that goes wrong becomes
 * an error report with a stable code (`fetch_failed`, `module_hash_mismatch`,
 * `module_signature_refused`, `invalid_module`, `memory_limit`, `internal`), so the
 * coordinator always learns how a replica ended. A run stopped by its signal
 * (cancelled, or the agent is stopping) produces no report. With a `CheckpointSink`,
 * runs watch their checkpoint and hand it to the sink as they write it, and a replica
 * that resumes another's work gets that checkpoint at `/checkpoint/state` before it
 * starts (docs/checkpoints.md). An assignment naming a native variant goes to
 * native-task.ts instead.
 */

import { type Assignment, RelativePath } from '@anygrid/protocol';
import {
  CHECKPOINT_STATE,
  type CheckpointSnapshot,
  ModuleError,
  type RunReceiver,
  type RunResult,
  type RunSpec,
} from '@anygrid/runtime';
import type { Logger } from 'pino';
import { type BlobCache, BlobCorruptError, BlobFetchError } from './blob-cache.js';
import type { CheckpointSink } from './checkpoint-uploader.js';
import type { CompiledModules } from './compiled-modules.js';
import type { ModuleGate, Refusal } from './module-gate.js';
import { type NativeRun, runNative } from './native-task.js';
import { type OutgoingReport, reportFailure, reportRun } from './output-encoding.js';
import { corruptResult } from './saboteur.js';

/** What the agent needs of a sandbox: `NodeSandbox` from `@anygrid/runtime/node` fits. */
export interface TaskSandbox {
  compile(bytes: Uint8Array, memoryBytes?: number): Promise<WebAssembly.Module>;
  /**
   * Runs a module. `options.signal` asks the sandbox to stop the run early (a cancelled
   * replica); a sandbox that cannot stop runs ignores it, and the result is discarded.
   */
  run(
    module: WebAssembly.Module,
    spec: RunSpec,
    options?: {
      readonly signal?: AbortSignal;
      readonly onCheckpoint?: (snapshot: CheckpointSnapshot) => void;
    },
  ): Promise<RunResult>;
  /**
   * `run` telling `receiver` instead of settling a promise, if the sandbox can: one
   * object per run rather than a promise, its functions and two reactions.
   */
  start?(
    module: WebAssembly.Module,
    spec: RunSpec,
    receiver: RunReceiver,
    options?: { readonly signal?: AbortSignal },
  ): void;
  close(): Promise<void>;
}

export interface TaskRunnerDeps {
  readonly blobs: Pick<BlobCache, 'get' | 'peek'>;
  readonly modules: CompiledModules<WebAssembly.Module>;
  readonly sandbox: Pick<TaskSandbox, 'run' | 'start'>;
  readonly logger: Logger;
  readonly corruptOutputs?: boolean;
  /** Decides whether a job's module may run here; without one every module runs. */
  readonly gate?: Pick<ModuleGate, 'known' | 'check'>;
  /** Where runs' checkpoints go (checkpoint-uploader.ts); without one they are not watched. */
  readonly checkpoints?: CheckpointSink;
  /** Runs native variants (native-runner.ts); absent unless the agent allows native code. */
  readonly native?: NativeRun;
}

/** What a run is given: the signal that stops it, shared with runs handed over with it. */
export interface RunOptions {
  readonly signal: AbortSignal;
}

/** Takes the report of a run, or undefined when its signal stopped it first. */
export type RunDone = (report: OutgoingReport | undefined) => void;

/** The directories of an assignment without input files: the sandbox only reads them. */
const NO_INPUT_DIRS: RunSpec['dirs'] = Object.freeze({ '/': Object.freeze({}) });

/** Thrown inside a run when its signal aborts: no report is due. */
class Stopped extends Error {}

/**
 * Runs `assignment` and calls `done` with its report, or with undefined when the signal
 * stopped it first; never throws. When the module is compiled and every input is in
 * memory (thousands of tiny tasks of one job), the run goes to the sandbox in this very
 * tick, so runs started together reach its workers as one batch. A callback rather than
 * a promise: the caller's own `then` was one more promise and two closures per task.
 */
export function runAssignment(
  assignment: Assignment,
  deps: TaskRunnerDeps,
  options: RunOptions,
  done: RunDone,
): void {
  const { signal } = options;
  if (assignment.variant !== undefined) {
    const { replicaId } = assignment;
    const prepare = (stop: AbortSignal) => prepareSpec(assignment, deps, stop);
    runNative(assignment, assignment.variant, { ...deps, prepare }, signal).then(
      done,
      (error: unknown) => {
        deps.logger.error({ err: error, replicaId }, 'native task runner threw');
        done(undefined);
      },
    );
    return;
  }
  const verdict = deps.gate === undefined ? null : deps.gate.known(assignment);
  if (verdict) {
    done(refused(assignment.replicaId, verdict, 0));
    return;
  }
  const spec = readySpec(assignment, deps);
  const module = spec && deps.modules.ready(assignment.module.hash, assignment.limits.memoryBytes);
  if (verdict === undefined || spec === undefined || module === undefined || signal.aborted) {
    const { replicaId } = assignment;
    fetchAndRun(assignment, deps, signal).then(
      (report) => {
        deps.checkpoints?.done(replicaId);
        done(report);
      },
      (error: unknown) => {
        deps.logger.error({ err: error, replicaId }, 'task runner threw');
        deps.checkpoints?.done(replicaId);
        done(undefined);
      },
    );
    return;
  }
  const pending = new PendingRun(assignment.replicaId, deps, signal, done);
  if (deps.sandbox.start) deps.sandbox.start(module, spec, pending, options);
  else
    deps.sandbox.run(module, spec, options).then(
      (result) => pending.resolve(result),
      (error: unknown) => pending.reject(error),
    );
}

/** A run in the sandbox, turning how it ended into its report. */
class PendingRun implements RunReceiver {
  private readonly started = performance.now();

  constructor(
    private readonly replicaId: number,
    private readonly deps: TaskRunnerDeps,
    private readonly signal: AbortSignal,
    private readonly done: RunDone,
  ) {}

  resolve(result: RunResult): void {
    this.deps.checkpoints?.done(this.replicaId);
    this.done(this.signal.aborted ? undefined : finish(this.replicaId, result, this.deps));
  }

  reject(error: unknown): void {
    this.deps.checkpoints?.done(this.replicaId);
    this.done(failure(this.replicaId, error, this.deps, this.signal, this.started));
  }

  checkpoint(snapshot: CheckpointSnapshot): void {
    this.deps.checkpoints?.offer(this.replicaId, snapshot);
  }
}

function refused(replicaId: number, refusal: Refusal, elapsed: number): OutgoingReport {
  return reportFailure(replicaId, refusal.code, refusal.message, elapsed);
}

function finish(replicaId: number, result: RunResult, deps: TaskRunnerDeps): OutgoingReport {
  try {
    return reportRun(replicaId, deps.corruptOutputs ? corruptResult(result) : result);
  } catch (error) {
    deps.logger.error({ err: error, replicaId }, 'could not encode a run result');
    return reportFailure(replicaId, 'internal', `agent error: ${String(error)}`, 0);
  }
}

/** The run spec when every input is in memory and every name is valid, else undefined. */
function readySpec(assignment: Assignment, deps: TaskRunnerDeps): RunSpec | undefined {
  // A resumed replica's checkpoint is fetched first, as an input.
  if (assignment.checkpoint !== undefined) return undefined;
  let stdin: Uint8Array | undefined;
  if (assignment.stdin) {
    stdin = deps.blobs.peek(assignment.stdin);
    if (stdin === undefined) return undefined;
  }
  if (!hasKeys(assignment.files)) return specOf(assignment, stdin, NO_INPUT_DIRS, deps);
  const files: Record<string, Uint8Array> = {};
  for (const name in assignment.files) {
    if (!RelativePath.safeParse(name).success) return undefined;
    const bytes = deps.blobs.peek(assignment.files[name] as Assignment['module']);
    if (bytes === undefined) return undefined;
    files[name] = bytes;
  }
  return specOf(assignment, stdin, { '/': files }, deps);
}

/**
 * The run spec of `assignment`, built field by field: every key is cloned on its way to
 * a worker, and a spread copy costs more than the rest of building it.
 */
function specOf(
  assignment: Assignment,
  stdin: Uint8Array | undefined,
  dirs: RunSpec['dirs'],
  deps: Pick<TaskRunnerDeps, 'checkpoints'>,
): RunSpec {
  const spec: { -readonly [K in keyof RunSpec]: RunSpec[K] } = {
    program: assignment.argv0,
    args: assignment.args,
    dirs,
    limits: assignment.limits,
    seed: assignment.seed,
  };
  // The sandbox's environment is empty by default.
  if (hasKeys(assignment.env)) spec.env = assignment.env;
  if (stdin) spec.stdin = stdin;
  if (deps.checkpoints !== undefined) spec.checkpoint = deps.checkpoints.spec;
  return spec;
}

function hasKeys(record: Readonly<Record<string, unknown>>): boolean {
  for (const _ in record) return true;
  return false;
}

/** The report of a run that threw: an error report, or nothing when it was stopped. */
function failure(
  replicaId: number,
  error: unknown,
  deps: TaskRunnerDeps,
  signal: AbortSignal,
  started: number,
  moduleHash?: string,
): OutgoingReport | undefined {
  const elapsed = performance.now() - started;
  if (signal.aborted || error instanceof Stopped) return undefined;
  // The module the coordinator serves is not the one the job names: not this host's fault.
  if (error instanceof BlobCorruptError && error.hash === moduleHash) {
    const message = `module refused: its bytes do not match the job's module hash (${error.message})`;
    return reportFailure(replicaId, 'module_hash_mismatch', message, elapsed);
  }
  if (error instanceof BlobFetchError) {
    return reportFailure(replicaId, 'fetch_failed', error.message, elapsed);
  }
  if (error instanceof ModuleError) {
    return reportFailure(replicaId, error.code, error.message, elapsed);
  }
  deps.logger.error({ err: error, replicaId }, 'task failed inside the agent');
  const message = error instanceof Error ? error.message : String(error);
  return reportFailure(replicaId, 'internal', `agent error: ${message}`, elapsed);
}

/** The first run of a module or of inputs not in memory: fetch, compile, then run. */
async function fetchAndRun(
  assignment: Assignment,
  deps: TaskRunnerDeps,
  signal: AbortSignal,
): Promise<OutgoingReport | undefined> {
  const started = performance.now();
  try {
    const spec = await prepareSpec(assignment, deps, signal);
    const gate = deps.gate;
    let verdict = gate === undefined ? null : gate.known(assignment);
    if (gate !== undefined && verdict === undefined) {
      // The bytes first: the blob cache refuses any that do not hash to the job's module.
      await deps.blobs.get(assignment.module, signal);
      verdict = gate.check(assignment);
    }
    if (verdict) return refused(assignment.replicaId, verdict, performance.now() - started);
    const module = await deps.modules.get(
      assignment.module.hash,
      assignment.limits.memoryBytes,
      () => deps.blobs.get(assignment.module, signal),
    );
    if (signal.aborted) throw new Stopped();
    // On abort the sandbox terminates the run's worker and rejects, freeing the slot.
    const { replicaId } = assignment;
    const sink = deps.checkpoints;
    const result = await deps.sandbox.run(
      module,
      spec,
      sink === undefined
        ? { signal }
        : { signal, onCheckpoint: (snapshot) => sink.offer(replicaId, snapshot) },
    );
    if (signal.aborted) throw new Stopped();
    return finish(assignment.replicaId, result, deps);
  } catch (error) {
    return failure(assignment.replicaId, error, deps, signal, started, assignment.module.hash);
  }
}

/** The run spec with every input fetched and verified (the native path's too). */
async function prepareSpec(
  assignment: Assignment,
  deps: TaskRunnerDeps,
  signal: AbortSignal,
): Promise<RunSpec> {
  const names = Object.keys(assignment.files);
  const badName = names.find((name) => !RelativePath.safeParse(name).success);
  if (badName !== undefined) {
    throw new BlobFetchError(
      `Input file name ${JSON.stringify(badName.slice(0, 100))} is not a relative path.`,
    );
  }
  const [stdin, checkpoint, ...contents] = await Promise.all([
    assignment.stdin ? deps.blobs.get(assignment.stdin, signal) : undefined,
    assignment.checkpoint ? deps.blobs.get(assignment.checkpoint, signal) : undefined,
    ...names.map((name) => deps.blobs.get(assignment.files[name] as Assignment['module'], signal)),
  ]);
  const files: Record<string, Uint8Array> = {};
  names.forEach((name, i) => {
    files[name] = contents[i] as Uint8Array;
  });
  // The replica it replaces got this far: the program reads it back at start.
  if (checkpoint !== undefined) files[CHECKPOINT_STATE] = checkpoint;
  return specOf(assignment, stdin, { '/': files }, deps);
}
