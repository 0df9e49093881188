/**
 * @module
 * What the dashboard knows of the grid, kept up to date from the event stream: the
 * newest snapshot of counters, the jobs by id (a full list first, then the ones that
 * changed), and the validated-tasks rate between consecutive snapshots for the plot.
 */

import type { DashboardEvent, GridSnapshot, JobView } from '@anygrid/protocol';

/** Rate points kept for the plot: about ten minutes at one snapshot a second. */
export const RATE_POINTS = 600;

export interface RatePoint {
  /** Seconds since the epoch. */
  readonly t: number;
  /** Tasks validated per second since the snapshot before. */
  readonly rate: number;
}

export class GridState {
  snapshot: GridSnapshot | null = null;
  readonly jobs = new Map<number, JobView>();
  readonly rates: RatePoint[] = [];
  private readonly listeners = new Set<() => void>();

  apply(event: DashboardEvent): void {
    if (event.type === 'jobs') {
      if (event.full) this.jobs.clear();
      for (const job of event.jobs) this.jobs.set(job.id, job);
    } else {
      this.addRate(event.snapshot);
      this.snapshot = event.snapshot;
    }
    for (const listener of this.listeners) listener();
  }

  /** Calls `listener` after every event; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Jobs newest first. */
  jobList(): JobView[] {
    return [...this.jobs.values()].sort((a, b) => b.id - a.id);
  }

  private addRate(next: GridSnapshot): void {
    const prev = this.snapshot;
    if (!prev || next.at <= prev.at) return;
    // A purge or a reconnect to another coordinator may lower the count: never a negative rate.
    const rate = Math.max(0, (next.validated - prev.validated) / ((next.at - prev.at) / 1000));
    this.rates.push({ t: next.at / 1000, rate });
    if (this.rates.length > RATE_POINTS) this.rates.splice(0, this.rates.length - RATE_POINTS);
  }
}
