/**
 * @module
 * Sends finished reports to the coordinator, one batch at a time. Reports wait in a
 * `ReportQueue`. After a quiet spell the first report leaves at once (a requester is
 * waiting for it); under load, batches leave at most every `lingerMs` unless full, and
 * reports finishing while a batch is on its way travel together in the next one. Outputs too large to travel inline are uploaded before the
 * first batch that carries their report. A failed send is judged by
 * `judgeBatchFailure`: retried after a backoff (coordinator down), trimmed (NOT_ASSIGNED),
 * or split to isolate a report the coordinator refuses. Nothing is dropped for any
 * other reason while the agent lives.
 */

import type { ReportResponse } from '@anygrid/protocol';
import type { Logger } from 'pino';
import { sleep, within } from './abortable.js';
import { Backoff, type BackoffPolicy, RECONNECT_BACKOFF } from './backoff.js';
import { judgeBatchFailure } from './batch-failure.js';
import type { CoordinatorClient } from './coordinator-client.js';
import type { OutgoingReport } from './output-encoding.js';
import { reportSize } from './output-encoding.js';
import { DEFAULT_BATCH_LIMITS, ReportQueue } from './report-queue.js';
import { loggedError } from './transient-error.js';

export interface ReportFlusherOptions {
  readonly client: Pick<CoordinatorClient, 'report' | 'putBlob'>;
  readonly hostId: number;
  readonly logger: Logger;
  /** Least time between two batches under load, so reports travel hundreds at a time. */
  readonly lingerMs?: number;
  /** Whether more reports are on their way (runs in progress); when not, send at once. */
  readonly busy?: () => boolean;
  readonly retryBackoff?: BackoffPolicy;
  /** Reports acknowledged (or refused for good): no longer to be kept anywhere. */
  readonly onSettled?: (replicaIds: readonly number[]) => void;
  /** Whether queued reports are also on disk, to be sent by the next run of the agent. */
  readonly persisted?: boolean;
}

/** The agent's single sender of reports. */
export class ReportFlusher {
  private readonly queue = new ReportQueue<OutgoingReport>(reportSize);
  /** Hashes the coordinator already holds, so retries do not upload them again. */
  private readonly uploaded = new Set<string>();
  private readonly backoff: Backoff;
  private readonly lifetime = new AbortController();
  private wake: (() => void) | undefined;
  /** Aborted to cut a backoff short (a flush is waiting). */
  private nudge = new AbortController();
  private drained: Array<() => void> = [];
  /** Batch size while isolating a report the coordinator refuses; undefined otherwise. */
  private narrowTo: number | undefined;
  private readonly loop: Promise<void>;
  /** When the last batch left (performance.now()). */
  private lastSentAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: ReportFlusherOptions) {
    this.backoff = new Backoff(options.retryBackoff ?? RECONNECT_BACKOFF);
    this.loop = this.run();
  }

  /** Reports not yet acknowledged. */
  get pending(): number {
    return this.queue.size;
  }

  /** Replica ids of reports not yet acknowledged (their leases should stay fresh). */
  pendingIds(): number[] {
    return this.queue.ids();
  }

  /** Queues a report for sending. */
  add(report: OutgoingReport): void {
    this.queue.add(report);
    this.wake?.();
  }

  /** The coordinator is reachable again: cut a retry's backoff short. */
  retryNow(): void {
    this.nudge.abort();
    this.nudge = new AbortController();
  }

  /** Resolves once every queued report is acknowledged, or after `timeoutMs`; true if all were. */
  async flush(timeoutMs: number): Promise<boolean> {
    if (this.queue.size === 0) return true;
    const done = new Promise<void>((resolve) => this.drained.push(resolve));
    this.wake?.();
    this.nudge.abort();
    this.nudge = new AbortController();
    await within(done, timeoutMs);
    return this.queue.size === 0;
  }

  /** Stops sending; reports still queued are lost with the process (they are logged). */
  async close(): Promise<void> {
    this.lifetime.abort();
    this.wake?.();
    await this.loop;
    if (this.queue.size > 0 && this.options.persisted) {
      this.options.logger.info(
        { count: this.queue.size },
        'stopping with unsent reports; they are saved and sent when the agent starts again',
      );
    } else if (this.queue.size > 0) {
      this.options.logger.warn(
        { replicaIds: this.queue.ids().slice(0, 50), count: this.queue.size },
        'stopping with unsent reports; the coordinator will reissue these replicas',
      );
    }
  }

  private async run(): Promise<void> {
    const signal = this.lifetime.signal;
    while (!signal.aborted) {
      if (this.queue.waiting === 0) {
        this.settleDrained();
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
        continue;
      }
      const linger = this.lingerFor();
      if (linger > 0) {
        await sleep(linger, signal).catch(() => {});
        if (signal.aborted) return;
      }
      const delay = await this.sendOne();
      if (delay > 0)
        await sleep(delay, AbortSignal.any([signal, this.nudge.signal])).catch(() => {});
    }
  }

  /** How long to wait for more reports before sending what waits. */
  private lingerFor(): number {
    if (this.queue.full || !(this.options.busy?.() ?? true)) return 0;
    return Math.max(0, this.lastSentAt + (this.options.lingerMs ?? 5) - performance.now());
  }

  /** Sends one batch; returns how long to wait before the next. */
  private async sendOne(): Promise<number> {
    this.lastSentAt = performance.now();
    const batch = this.queue.take(this.narrowTo);
    const ids = batch.map((r) => r.replicaId);
    const { logger, hostId, client } = this.options;
    try {
      await this.uploadFor(batch);
      const answer = await client.report(
        { hostId, reports: batch.map((r) => r.report) },
        this.lifetime.signal,
      );
      this.queue.remove(ids);
      this.options.onSettled?.(ids);
      this.backoff.reset();
      if (this.narrowTo !== undefined) {
        const doubled = this.narrowTo * 2;
        this.narrowTo = doubled >= DEFAULT_BATCH_LIMITS.maxCount ? undefined : doubled;
      }
      this.logLate(answer.results);
      logger.debug({ count: ids.length }, 'reports sent');
      return 0;
    } catch (error) {
      this.queue.release(batch);
      if (this.lifetime.signal.aborted) return 0;
      return this.onFailure(error, ids);
    }
  }

  /** Logs the reports that came too late; nearly every answer has none, and builds no list. */
  private logLate(results: ReportResponse['results']): void {
    let late: number[] | undefined;
    for (const r of results) {
      if (r.status !== 'late') continue;
      late ??= [];
      late.push(r.replicaId);
    }
    if (late)
      this.options.logger.info({ replicaIds: late }, 'reports arrived after their deadline');
  }

  private onFailure(error: unknown, ids: number[]): number {
    const { logger } = this.options;
    const verdict = judgeBatchFailure(error, ids);
    switch (verdict.action) {
      case 'retry': {
        const delay = verdict.slow
          ? (this.options.retryBackoff ?? RECONNECT_BACKOFF).maxMs
          : this.backoff.next();
        const log = verdict.slow ? logger.error.bind(logger) : logger.warn.bind(logger);
        log(
          { err: loggedError(error), count: ids.length, delay },
          'reports not delivered; will retry',
        );
        return delay;
      }
      case 'drop':
        logger.error(
          { err: error, replicaIds: verdict.replicaIds },
          'the coordinator refused these reports; dropping them',
        );
        this.queue.remove(verdict.replicaIds);
        this.options.onSettled?.(verdict.replicaIds);
        return 0;
      case 'split':
        this.narrowTo = Math.max(1, Math.ceil(ids.length / 2));
        logger.warn({ err: error, count: ids.length }, 'a report batch was refused; splitting it');
        return 0;
    }
  }

  private async uploadFor(batch: readonly OutgoingReport[]): Promise<void> {
    for (const outgoing of batch) {
      // Nearly every report has none, and iterating even an empty map allocates.
      if (outgoing.uploads.size === 0) continue;
      for (const [hash, bytes] of outgoing.uploads) {
        if (this.uploaded.has(hash)) continue;
        await this.options.client.putBlob(hash, bytes, this.lifetime.signal);
        this.uploaded.add(hash);
      }
    }
  }

  private settleDrained(): void {
    if (this.queue.size > 0) return;
    for (const resolve of this.drained.splice(0)) resolve();
    // Uploaded hashes only matter while their reports wait; forget them once all are sent.
    this.uploaded.clear();
  }
}
