/**
 * @module Watches a running guest's checkpoint, the convention of docs/checkpoints.md:
 * the program saves its state to `/checkpoint/state` and the fraction of its work done
 * (a decimal number) to `/checkpoint/progress`, in the task directory preopened at `/`.
 *
 * A guest runs synchronously inside its worker, so nothing on the host can look at its
 * files while it runs. The worker looks instead, at the moments a checkpoint can have
 * changed: when the guest closes a file it wrote, or renames a file into place. When one
 * of those files is the state or the progress and the interval has passed since the last
 * snapshot, the worker copies both and posts them at once (`postMessage` from a busy
 * worker still reaches the host). A snapshot is taken only at a close or rename, never
 * in the middle of a write, so the state is always whole as the guest meant it.
 */

import type { CheckpointSnapshot, CheckpointWatchSpec } from './run-spec.js';
import { DirNode, FileNode } from './wasi/memfs.js';

/** The guest directory, state file and progress file of the convention. */
export const CHECKPOINT_DIR = 'checkpoint';
export const CHECKPOINT_STATE = 'checkpoint/state';
export const CHECKPOINT_PROGRESS = 'checkpoint/progress';

/** Longest progress text read: a number, not a document. */
const MAX_PROGRESS_CHARS = 64;

const decoder = new TextDecoder();

/** The fraction written in a progress file, clamped to [0, 1]; null when it is not a number. */
export function parseFraction(bytes: Uint8Array): number | null {
  if (bytes.byteLength === 0 || bytes.byteLength > MAX_PROGRESS_CHARS) return null;
  const text = decoder.decode(bytes).trim();
  if (!/^[+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : null;
}

/**
 * Tells `emit` of the checkpoint under `root` when the guest changed it: a new state at
 * most once per interval (with the progress of that moment), and progress alone at most
 * once per interval too, so that progress and state written one after the other both go.
 */
export class CheckpointWatch {
  private lastAny: number;
  private lastState: number;
  private sentState: Uint8Array | null = null;
  private sentFraction: number | null = null;

  constructor(
    private readonly root: DirNode,
    private readonly spec: CheckpointWatchSpec,
    private readonly emit: (snapshot: CheckpointSnapshot) => void,
    now: number = performance.now(),
  ) {
    // The first snapshot waits an interval too: a program that checkpoints at once
    // (after resuming) has nothing new to save yet.
    this.lastAny = now;
    this.lastState = now;
  }

  /** The guest closed or renamed `node`, a file it may have written. */
  written(node: FileNode, now: number = performance.now()): void {
    const { intervalMs } = this.spec;
    if (now - this.lastAny < intervalMs && now - this.lastState < intervalMs) return;
    const dir = this.root.get(CHECKPOINT_DIR);
    if (!(dir instanceof DirNode)) return;
    const state = dir.get('state');
    const progress = dir.get('progress');
    if (node !== state && node !== progress) return;
    const fraction = progress instanceof FileNode ? parseFraction(progress.contents()) : null;
    if (node === progress) {
      if (now - this.lastAny < intervalMs || fraction === this.sentFraction) return;
      this.lastAny = now;
      this.sentFraction = fraction;
      // No state: it is the one written before this progress, sent with it already.
      this.emit({ state: null, fraction });
      return;
    }
    if (now - this.lastState < intervalMs) return;
    const bytes = (node as FileNode).contents();
    if (bytes.byteLength > this.spec.maxBytes || sameBytes(bytes, this.sentState)) return;
    this.lastAny = now;
    this.lastState = now;
    // A copy: the guest goes on writing into the file's buffer.
    this.sentState = bytes.slice();
    this.sentFraction = fraction;
    this.emit({ state: this.sentState, fraction });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array | null): boolean {
  if (b === null || a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
