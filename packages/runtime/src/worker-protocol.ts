/**
 * @module The messages between a sandbox host and its worker, and the worker's side of
 * the exchange — shared by the Node worker thread and the browser Web Worker.
 *
 * Messages carry batches: the host posts several tasks at once and the worker reports
 * several results at once, because for a trivial task one message each way cost more
 * than the run itself. A module is posted to a worker once and then named by a number
 * (a posted `WebAssembly.Module` arrives as a new object each time, which also defeated
 * the worker's per-module caches). Result byte arrays are transferred rather than copied
 * when large.
 *
 * The worker runs its tasks strictly in order. With a shared progress cell
 * (`task-progress.ts`) it reports results when half of the tasks it had when it began
 * are done, when about a millisecond of them has piled up, when it runs out of tasks,
 * or at once for a large output; without one, after every task, since the host's
 * watchdog then learns from each result that the next task began.
 */
import { runModule } from './run-module.js';
import type { CheckpointSnapshot, RunLimits, RunResult, RunSpec } from './run-spec.js';
import { TaskProgress } from './task-progress.js';

/**
 * One task of a batch: the spec's fields with its (resolved) limits flattened in —
 * cloning a nested spec cost ~4 µs per task, this ~1.5 µs. `module` is present the
 * first time `moduleId` is sent to this worker.
 */
export interface RunTask extends Omit<RunSpec, 'limits' | 'checkpoint'>, RunLimits {
  readonly id: number;
  readonly moduleId: number;
  readonly module?: WebAssembly.Module;
  /** `spec.checkpoint`, flattened like the limits: present when the run's checkpoint is watched. */
  readonly checkpointMs?: number;
  readonly checkpointBytes?: number;
}

/**
 * The task message for `spec` run with `limits`. Built field by field: a rest/spread
 * copy cost ~2 µs per task on the host. Absent fields stay absent, since every key
 * sent is a key cloned.
 */
export function taskOf(
  id: number,
  moduleId: number,
  module: WebAssembly.Module | undefined,
  spec: RunSpec,
  limits: RunLimits,
): RunTask {
  const task: Mutable<RunTask> = {
    id,
    moduleId,
    memoryBytes: limits.memoryBytes,
    wallTimeMs: limits.wallTimeMs,
    outputBytes: limits.outputBytes,
  };
  if (module !== undefined) task.module = module;
  if (spec.args !== undefined) task.args = spec.args;
  if (spec.program !== undefined) task.program = spec.program;
  if (spec.env !== undefined) task.env = spec.env;
  if (spec.stdin !== undefined) task.stdin = spec.stdin;
  if (spec.dirs !== undefined) task.dirs = spec.dirs;
  if (spec.seed !== undefined) task.seed = spec.seed;
  if (spec.checkpoint !== undefined) {
    task.checkpointMs = spec.checkpoint.intervalMs;
    task.checkpointBytes = spec.checkpoint.maxBytes;
  }
  return task;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The spec a task carries, built field by field like `taskOf`. */
function specOf(task: RunTask): RunSpec {
  return {
    args: task.args,
    program: task.program,
    env: task.env,
    stdin: task.stdin,
    dirs: task.dirs,
    seed: task.seed,
    checkpoint:
      task.checkpointMs === undefined
        ? undefined
        : { intervalMs: task.checkpointMs, maxBytes: task.checkpointBytes ?? 0 },
    limits: {
      memoryBytes: task.memoryBytes,
      wallTimeMs: task.wallTimeMs,
      outputBytes: task.outputBytes,
    },
  };
}

/** Host → worker. */
export type HostMessage =
  | { readonly type: 'init'; readonly progress?: SharedArrayBuffer }
  /** Run `tasks` in order after those already queued; then drop the modules `forget` names. */
  | {
      readonly type: 'run';
      readonly tasks: readonly RunTask[];
      readonly forget?: readonly number[];
    };

/** Below this size copying a buffer is cheaper than transferring it (measured: ~0.1 ms per transfer). */
const TRANSFER_MIN_BYTES = 64 * 1024;
/** Results are held back at most this long (with a progress cell). */
const FLUSH_MS = 1;
/** …and at most this many. */
const MAX_HELD = 256;

/**
 * One result as sent. Small stdout/stderr travel packed in the message's `bytes`, at
 * `*At` for `*Length` bytes; large ones (≥ 64 KiB) as their own transferred array.
 * Flat and mostly numbers: cloning a nested result with two typed arrays cost ~8 µs
 * per task, this ~2 µs.
 */
export interface SentResult {
  readonly id: number;
  readonly exitCode: number | null;
  readonly durationMs: number;
  readonly stdoutAt: number;
  readonly stdoutLength: number;
  readonly stderrAt: number;
  readonly stderrLength: number;
  readonly stdout?: Uint8Array;
  readonly stderr?: Uint8Array;
  /** Present only when a file was created or changed; else the host lists the spec's directories, empty. */
  readonly dirs?: RunResult['dirs'];
  readonly failure?: RunResult['failure'];
}

/** Worker → host, while task `id` runs: a checkpoint it wrote (checkpoint-watch.ts). */
export interface CheckpointMessage extends CheckpointSnapshot {
  readonly type: 'checkpoint';
  readonly id: number;
}

/** Worker → host: results of the oldest unreported tasks, in order. */
export interface ResultsMessage {
  readonly type: 'results';
  readonly bytes: Uint8Array;
  readonly results: readonly SentResult[];
}

const NO_BYTES = new Uint8Array(0);

/** Packs results into one message (see `SentResult`); returns it with the buffers to transfer. */
export function packResults(
  held: ReadonlyArray<{ readonly id: number; readonly result: RunResult }>,
): { message: ResultsMessage; transfer: ArrayBuffer[] } {
  let total = 0;
  for (const { result } of held) {
    if (isSmall(result.stdout)) total += result.stdout.byteLength;
    if (isSmall(result.stderr)) total += result.stderr.byteLength;
  }
  const bytes = total === 0 ? NO_BYTES : new Uint8Array(total);
  let at = 0;
  const place = (b: Uint8Array): number => {
    if (!isSmall(b) || b.byteLength === 0) return 0;
    bytes.set(b, at);
    at += b.byteLength;
    return at - b.byteLength;
  };
  const transfer: ArrayBuffer[] = [];
  const results = held.map(({ id, result }): SentResult => {
    for (const b of resultTransferables(result)) transfer.push(b);
    // Field by field: conditional spreads cost four objects per result.
    const sent: Mutable<SentResult> = {
      id,
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      stdoutAt: place(result.stdout),
      stdoutLength: result.stdout.byteLength,
      stderrAt: place(result.stderr),
      stderrLength: result.stderr.byteLength,
    };
    if (!isSmall(result.stdout)) sent.stdout = result.stdout;
    if (!isSmall(result.stderr)) sent.stderr = result.stderr;
    if (hasFiles(result.dirs)) sent.dirs = result.dirs;
    if (result.failure) sent.failure = result.failure;
    return sent;
  });
  return { message: { type: 'results', bytes, results }, transfer };
}

function isSmall(b: Uint8Array): boolean {
  return b.byteLength < TRANSFER_MIN_BYTES;
}

function hasFiles(dirs: RunSpec['dirs']): boolean {
  for (const name in dirs) for (const _ in dirs[name]) return true;
  return false;
}

/**
 * Batches whose packed outputs together are no larger than this hand out views of
 * them instead of copies: a view keeps its whole batch alive, which is harmless while
 * batches are this small, and trivial runs then cost no copy per output.
 */
const VIEW_MAX_BATCH_BYTES = 64 * 1024;

/**
 * The `RunResult` of one sent result, for a run of `spec`. Its byte arrays are its own
 * or views of `bytes`, which must then belong to this message alone (a received
 * message's buffer does: nothing else holds or writes it). A run that changed no file
 * gets an empty listing shared with the runs before it of the same `spec.dirs`, frozen.
 */
export function unpackResult(bytes: Uint8Array, sent: SentResult, spec?: RunSpec): RunResult {
  const result: Mutable<RunResult> = {
    exitCode: sent.exitCode,
    stdout: sent.stdout ?? outputOf(bytes, sent.stdoutAt, sent.stdoutLength),
    stderr: sent.stderr ?? outputOf(bytes, sent.stderrAt, sent.stderrLength),
    dirs: sent.dirs ?? emptyDirs(spec?.dirs),
    durationMs: sent.durationMs,
  };
  if (sent.failure) result.failure = sent.failure;
  return result;
}

function outputOf(bytes: Uint8Array, at: number, length: number): Uint8Array {
  // Empty outputs (most stderr) share one array: nothing can be written to it, and even
  // detached it still reads as empty.
  if (length === 0) return NO_BYTES;
  return bytes.byteLength <= VIEW_MAX_BATCH_BYTES
    ? bytes.subarray(at, at + length)
    : bytes.slice(at, at + length);
}

/**
 * The last `dirs` without files given to `emptyDirs`, and what it returned: runs
 * without inputs usually share one `dirs` object, and so one empty listing. Only a
 * `dirs` without files is kept, so no input bytes outlive their run here.
 */
let lastDirs: RunSpec['dirs'] | null = null;
let lastEmpty: RunResult['dirs'] = {};

/** What a run reports for `dirs` when it changed no file: each preopened directory, empty. */
function emptyDirs(dirs: RunSpec['dirs']): RunResult['dirs'] {
  if (dirs === lastDirs) return lastEmpty;
  const out: Record<string, Record<string, Uint8Array>> = {};
  for (const name in dirs) if (dirs[name] !== undefined) out[name] = Object.freeze({});
  Object.freeze(out);
  if (!hasFiles(dirs)) {
    lastDirs = dirs;
    lastEmpty = out;
  }
  return out;
}

const NO_TRANSFERS: readonly ArrayBuffer[] = Object.freeze([]);

/** The large ArrayBuffers of a result, to transfer instead of copy. */
export function resultTransferables(result: RunResult): readonly ArrayBuffer[] {
  if (isSmall(result.stdout) && isSmall(result.stderr) && !hasFiles(result.dirs))
    return NO_TRANSFERS;
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

function runtimeError(message: string): RunResult {
  return {
    exitCode: null,
    stdout: new Uint8Array(0),
    stderr: new Uint8Array(0),
    dirs: {},
    failure: { code: 'trap', message: `runtime error: ${message}` },
    durationMs: 0,
  };
}

/** Runs one task inside a worker; a bug in the runtime itself becomes a `trap`, never a missing result. */
async function serve(
  module: WebAssembly.Module | undefined,
  spec: RunSpec,
  onCheckpoint: ((snapshot: CheckpointSnapshot) => void) | undefined,
): Promise<RunResult> {
  if (module === undefined) return runtimeError('module not known to this worker');
  try {
    return await runModule(module, spec, onCheckpoint);
  } catch (error) {
    return runtimeError(error instanceof Error ? error.message : String(error));
  }
}

interface Queued {
  readonly id: number;
  readonly module: WebAssembly.Module | undefined;
  readonly spec: RunSpec;
}

/**
 * The worker's side: queues the tasks of each message, runs them one after another,
 * and posts their results in order, in batches (see the module comment). `defer`
 * starts a drain once the messages already waiting have been queued too (Node:
 * `setImmediate`); started at once, each drain ran only the tasks of one message, so
 * results went back as small as the batches came, ~16 tasks where 64 could.
 */
export function createRequestHandler(
  post: (message: ResultsMessage | CheckpointMessage, transfer: ArrayBuffer[]) => void,
  defer: (drain: () => void) => void = (drain) => drain(),
): (message: HostMessage) => void {
  const modules = new Map<number, WebAssembly.Module>();
  const queue: Queued[] = [];
  let head = 0;
  let progress: TaskProgress | undefined;
  let draining = false;

  const drain = async () => {
    draining = true;
    let held: Array<{ id: number; result: RunResult }> = [];
    let heldSince = performance.now();
    // The first half's results go back early, so that the host's next tasks arrive
    // while this worker runs the second half: it never waits for them, and the
    // messages stay about half a line long.
    let untilHalf = Math.ceil((queue.length - head) / 2);
    while (head < queue.length) {
      const task = queue[head++] as Queued;
      if (head === queue.length) {
        queue.length = 0;
        head = 0;
      }
      progress?.start(task.id);
      const id = task.id;
      // Posted while the guest still runs: the host hears of it at once. Copied, not
      // transferred: the watch compares the next checkpoint with it.
      const onCheckpoint =
        task.spec.checkpoint === undefined
          ? undefined
          : (snapshot: CheckpointSnapshot) => post({ type: 'checkpoint', id, ...snapshot }, []);
      const result = await serve(task.module, task.spec, onCheckpoint);
      if (held.length === 0) heldSince = performance.now();
      held.push({ id: task.id, result });
      const flush =
        progress === undefined ||
        --untilHalf === 0 ||
        head >= queue.length ||
        held.length >= MAX_HELD ||
        performance.now() - heldSince >= FLUSH_MS ||
        resultTransferables(result).length > 0;
      if (flush) {
        // Idle before posting: once the host sees these results, the cell must not
        // still name one of them as running.
        if (head >= queue.length) progress?.idle();
        const { message, transfer } = packResults(held);
        post(message, transfer);
        held = [];
      }
    }
    progress?.idle();
    draining = false;
  };

  return (message) => {
    if (message.type === 'init') {
      progress = message.progress ? new TaskProgress(message.progress) : undefined;
      return;
    }
    for (const task of message.tasks) {
      if (task.module) modules.set(task.moduleId, task.module);
      queue.push({ id: task.id, module: modules.get(task.moduleId), spec: specOf(task) });
    }
    for (const id of message.forget ?? []) modules.delete(id);
    if (draining) return;
    draining = true;
    defer(() => void drain());
  };
}
