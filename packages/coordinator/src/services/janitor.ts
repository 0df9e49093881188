/**
 * @module
 * The janitor (BOINC's db_purge): on a timer, it purges jobs that finished longer ago
 * than the retention period — archiving their results first when asked — gives the freed
 * database pages back to the file system, and deletes blobs no live job uses once their
 * grace period has passed. Every piece of work is a short transaction, and after a few
 * milliseconds of them (more while it is behind) the janitor lets the event loop turn, so
 * requests and reports go on while a million-task job is purged.
 * A purge interrupted by a crash is resumed by the next sweep (the store lists it first).
 * With several coordinators on one store and one blob folder, only the holder of the
 * leader lease (leadership.ts) sweeps.
 */

import type { Logger } from 'pino';
import type { BlobStore } from '../blobs/blob-store.js';
import { SHARD_COUNT } from '../blobs/blob-store.js';
import {
  blobExpired,
  DEFAULT_BLOB_GRACE_MS,
  DEFAULT_JANITOR_INTERVAL_MS,
  JANITOR_TURN_MS,
  janitorTurnMs,
  nextPurgeBatch,
  PURGE_STEP_TASKS,
  pagesToReclaim,
  purgeCutoff,
} from '../policy/index.js';
import type { Store } from '../store/store.js';
import { archiveResults } from './result-archive.js';

export interface JanitorOptions {
  /**
   * How long after it finished a job is purged; null: never (only a purge a crash
   * interrupted is finished, and no blob is deleted).
   */
  readonly retentionMs: number | null;
  /** How often to look for work; default `DEFAULT_JANITOR_INTERVAL_MS`. */
  readonly intervalMs?: number;
  /** How long an unused blob is kept after its last upload; default `DEFAULT_BLOB_GRACE_MS`. */
  readonly blobGraceMs?: number;
  /** Where to write each job's results before purging it; none when absent. */
  readonly archiveDir?: string;
  /** Blob files looked at per sweep, a shard at a time; default `BLOB_FILES_PER_SWEEP`. */
  readonly blobFilesPerSweep?: number;
  /** Sweeps only while this says so (several coordinators on one store); always when absent. */
  readonly leader?: { readonly isLeader: boolean };
}

/** What one sweep did. */
export interface SweepReport {
  jobs: number;
  tasks: number;
  rows: number;
  pagesFreed: number;
  blobsDeleted: number;
  blobBytesDeleted: number;
}

/** Jobs a sweep purges at most; the next sweep takes the rest. */
const JOBS_PER_SWEEP = 50;
/**
 * Blob files a sweep looks at unless configured (whole shards, so it may pass this by
 * one shard): a small store is walked whole every sweep, a store of a million blobs in
 * a few hundred sweeps. Counted in files, not shards: a sweep that walked 16 shards of
 * 256 let a few dozen dead blobs pile up while each sweep was busy purging.
 */
const BLOB_FILES_PER_SWEEP = 5000;
/** Pages one incremental vacuum step gives back (4 KiB each). */
const VACUUM_PAGES = 2048;
/** Blob hashes checked against the store per call. */
const HASHES_PER_CHECK = 500;

export class Janitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepReport> | undefined;
  private stopped = false;
  private batch: number = PURGE_STEP_TASKS.first;
  private nextShard = 0;
  /** When the janitor last let other requests in (performance.now()). */
  private lastTurn = 0;
  /** How long it writes before it does again (policy/retention.ts). */
  private turnMs = JANITOR_TURN_MS;

  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly log: Logger,
    private readonly options: JanitorOptions,
  ) {}

  /** Sweeps now (finishing any purge a crash interrupted), then on the timer. */
  start(): void {
    void this.sweep();
    const every = this.options.intervalMs ?? DEFAULT_JANITOR_INTERVAL_MS;
    this.timer = setInterval(() => void this.sweep(), every);
    this.timer.unref();
  }

  /** Stops the timer and waits for a sweep under way to reach its next step. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One round of work; a round already running is not started twice. */
  sweep(now = Date.now()): Promise<SweepReport> {
    if (!this.running) {
      this.running = this.round(now).finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  private async round(now: number): Promise<SweepReport> {
    const report: SweepReport = {
      jobs: 0,
      tasks: 0,
      rows: 0,
      pagesFreed: 0,
      blobsDeleted: 0,
      blobBytesDeleted: 0,
    };
    if (this.options.leader && !this.options.leader.isLeader) return report;
    try {
      await this.purgeJobs(now, report);
      await this.reclaim(report);
      if (this.options.retentionMs !== null) await this.sweepBlobs(now, report);
    } catch (err) {
      this.log.error({ err }, 'janitor sweep failed; retrying next tick');
    }
    if (report.jobs + report.blobsDeleted + report.pagesFreed > 0) {
      this.log.info(report, 'janitor purged finished jobs');
    }
    return report;
  }

  private async purgeJobs(now: number, report: SweepReport): Promise<void> {
    const { retentionMs } = this.options;
    const cutoff = retentionMs === null ? Number.MIN_SAFE_INTEGER : purgeCutoff(now, retentionMs);
    const due = await this.store.purgeDue(cutoff, JOBS_PER_SWEEP);
    for (const [i, job] of due.entries()) {
      if (this.stopped) return;
      this.turnMs = janitorTurnMs(due.length - i);
      if (!job.started) {
        if (this.options.archiveDir) {
          await archiveResults(this.store, this.options.archiveDir, job.jobId);
        }
        await this.store.beginPurge(job.jobId, Date.now());
      }
      await this.purgeJob(job.jobId, report);
      report.jobs++;
    }
    this.turnMs = JANITOR_TURN_MS;
  }

  /** Deletes a begun job's rows a short transaction at a time. */
  private async purgeJob(jobId: number, report: SweepReport): Promise<void> {
    while (!this.stopped) {
      const t0 = performance.now();
      const step = await this.store.purgeStep(jobId, this.batch, Date.now());
      const elapsed = performance.now() - t0;
      report.tasks += step.tasks;
      report.rows += step.rows;
      if (step.done) return;
      if (step.tasks > 0) {
        this.batch = nextPurgeBatch(this.batch, elapsed * (this.batch / step.tasks));
      }
      await this.pace();
    }
  }

  /** Gives the free pages beyond the slack new tasks will reuse back to the file system. */
  private async reclaim(report: SweepReport): Promise<void> {
    const { free, total } = await this.store.reclaimSpace(0);
    let excess = pagesToReclaim(free, total);
    while (excess > 0 && !this.stopped) {
      const { freed } = await this.store.reclaimSpace(Math.min(VACUUM_PAGES, excess));
      report.pagesFreed += freed;
      if (freed === 0) return;
      excess -= freed;
      await this.pace();
    }
  }

  /**
   * Lets other requests in once the janitor has written for `turnMs` since it last did: a
   * few short transactions back to back, then a turn of the event loop.
   */
  private async pace(): Promise<void> {
    if (performance.now() - this.lastTurn < this.turnMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.lastTurn = performance.now();
  }

  /** Looks through the next shards of the blob store for blobs no live job uses. */
  private async sweepBlobs(now: number, report: SweepReport): Promise<void> {
    const grace = this.options.blobGraceMs ?? DEFAULT_BLOB_GRACE_MS;
    const budget = this.options.blobFilesPerSweep ?? BLOB_FILES_PER_SWEEP;
    let seen = 0;
    for (let i = 0; i < SHARD_COUNT && seen < budget && !this.stopped; i++) {
      const shard = this.nextShard;
      this.nextShard = (this.nextShard + 1) % SHARD_COUNT;
      const stored = await this.blobs.list(shard);
      seen += stored.length;
      await this.pace();
      const expired = stored.filter((b) => blobExpired(b.writtenAt, now, grace));
      for (let k = 0; k < expired.length && !this.stopped; k += HASHES_PER_CHECK) {
        const chunk = expired.slice(k, k + HASHES_PER_CHECK);
        const used = await this.store.blobsInUse(chunk.map((b) => b.hash));
        for (const blob of chunk) {
          if (used.has(blob.hash)) continue;
          // Asked again inside the deletion, which no new use can overtake.
          const unused = async () => (await this.store.blobsInUse([blob.hash])).size === 0;
          if (await this.blobs.remove(blob.hash, unused)) {
            report.blobsDeleted++;
            report.blobBytesDeleted += blob.size;
          }
        }
      }
    }
  }
}
