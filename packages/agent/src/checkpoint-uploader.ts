/**
 * @module
 * Sends the checkpoints of running tasks to the coordinator (docs/checkpoints.md). The
 * sandbox tells of a task's checkpoint at most once per interval (runtime's
 * checkpoint-watch.ts); a new state is uploaded as a blob through the same
 * `PUT /v1/blobs/{hash}` as large outputs, then `POST /v1/checkpoints` names it with the
 * fraction done. One send per replica at a time: snapshots that arrive meanwhile replace
 * each other, so only the newest goes next. A failed send is logged and dropped — the
 * next snapshot carries a newer state — and a replica the coordinator calls stale (it
 * timed out or was given up) is forgotten.
 */

import { AnygridError, type CheckpointRequest, ErrorCode } from '@anygrid/protocol';
import type { CheckpointSnapshot, CheckpointWatchSpec } from '@anygrid/runtime';
import type { Logger } from 'pino';
import { sha256Hex } from './content-hash.js';
import type { CoordinatorClient } from './coordinator-client.js';

/** What the task runner needs of checkpoint handling. */
export interface CheckpointSink {
  /** How runs are asked to watch their checkpoint. */
  readonly spec: CheckpointWatchSpec;
  /** A running replica wrote a checkpoint. */
  offer(replicaId: number, snapshot: CheckpointSnapshot): void;
  /** The replica's run ended: nothing more of it is sent. */
  done(replicaId: number): void;
}

export interface CheckpointUploaderOptions {
  readonly client: Pick<CoordinatorClient, 'putBlob' | 'checkpoint'>;
  readonly hostId: number;
  readonly logger: Logger;
  readonly spec: CheckpointWatchSpec;
}

/** What was sent of one replica, and what waits. */
interface ReplicaCheckpoints {
  sentHash: string | null;
  sentFraction: number | null;
  next: CheckpointSnapshot | undefined;
  sending: boolean;
}

/** Uploads running replicas' checkpoints, newest first, one at a time per replica. */
export class CheckpointUploader implements CheckpointSink {
  private readonly replicas = new Map<number, ReplicaCheckpoints>();
  private readonly lifetime = new AbortController();
  readonly spec: CheckpointWatchSpec;

  constructor(private readonly options: CheckpointUploaderOptions) {
    this.spec = options.spec;
  }

  offer(replicaId: number, snapshot: CheckpointSnapshot): void {
    if (this.lifetime.signal.aborted) return;
    let entry = this.replicas.get(replicaId);
    if (entry === undefined) {
      entry = { sentHash: null, sentFraction: null, next: undefined, sending: false };
      this.replicas.set(replicaId, entry);
    }
    entry.next = snapshot;
    if (!entry.sending) void this.pump(replicaId, entry);
  }

  done(replicaId: number): void {
    this.replicas.delete(replicaId);
  }

  /** Replicas with checkpoints being sent or waiting (for tests and logs). */
  get active(): number {
    return this.replicas.size;
  }

  /** Stops sending (the agent is stopping). */
  close(): void {
    this.lifetime.abort();
    this.replicas.clear();
  }

  private async pump(replicaId: number, entry: ReplicaCheckpoints): Promise<void> {
    entry.sending = true;
    try {
      while (entry.next !== undefined && this.replicas.get(replicaId) === entry) {
        const snapshot = entry.next;
        entry.next = undefined;
        await this.send(replicaId, entry, snapshot);
      }
    } finally {
      entry.sending = false;
    }
  }

  private async send(
    replicaId: number,
    entry: ReplicaCheckpoints,
    snapshot: CheckpointSnapshot,
  ): Promise<void> {
    const { client, hostId, logger } = this.options;
    const signal = this.lifetime.signal;
    try {
      let state: CheckpointRequest['state'] = null;
      if (snapshot.state !== null) {
        const hash = sha256Hex(snapshot.state);
        if (hash !== entry.sentHash) {
          await client.putBlob(hash, snapshot.state, signal);
          state = { hash, size: snapshot.state.byteLength };
        }
      }
      if (state === null && snapshot.fraction === entry.sentFraction) return;
      const fraction = snapshot.fraction === entry.sentFraction ? null : snapshot.fraction;
      const answer = await client.checkpoint({ hostId, replicaId, state, fraction }, signal);
      if (answer.status === 'stale') {
        this.replicas.delete(replicaId);
        return;
      }
      if (state !== null) entry.sentHash = state.hash;
      if (fraction !== null) entry.sentFraction = fraction;
      logger.debug({ replicaId, state, fraction }, 'checkpoint sent');
    } catch (error) {
      if (signal.aborted) return;
      // Not this host's any more (given to another after a timeout): its chain is over.
      if (error instanceof AnygridError && error.code === ErrorCode.NOT_ASSIGNED) {
        this.replicas.delete(replicaId);
        return;
      }
      logger.warn({ err: error, replicaId }, 'could not send a checkpoint; the next one may');
    }
  }
}
