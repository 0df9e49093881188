/**
 * @module What the worker pool (worker-pool.ts) needs from a worker, and how a sandbox
 * makes one: the one point where the Node and browser sandboxes differ. Apart from the
 * pool so that a sandbox names what it must supply without importing the pool itself.
 */
import type { CheckpointMessage, HostMessage, ResultsMessage } from './worker-protocol.js';

/** What the pool needs from a worker. */
export interface WorkerHandle {
  post(message: HostMessage): void;
  terminate(): void;
  /** Whether the worker should keep the host alive (Node: ref/unref while busy/idle). */
  setBusy?(busy: boolean): void;
}

/** Callbacks a factory wires to its worker's events. */
export interface WorkerEvents {
  onMessage(message: ResultsMessage | CheckpointMessage): void;
  onCrash(reason: string): void;
}

/** Creates a worker whose events call `events`. */
export type WorkerFactory = (events: WorkerEvents) => WorkerHandle;
