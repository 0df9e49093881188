/**
 * @module
 * Enforces deadlines: replicas whose lease ran out time out and their tasks get new
 * replicas, and jobs whose requester stopped sending their parts are cancelled. Runs on
 * a short timer; each sweep is one store transaction, bounded so a backlog never blocks
 * the event loop for long.
 */

import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { Jobs } from './jobs.js';
import type { Scheduler } from './scheduler.js';

const SWEEP_LIMIT = 1000;

export class Transitioner {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly store: Store,
    private readonly scheduler: Scheduler,
    private readonly jobs: Jobs,
    private readonly log: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Times out everything overdue now; returns how many replicas timed out. */
  async sweep(now = Date.now()): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let total = 0;
    try {
      for (;;) {
        const { timedOut, changes } = await this.store.expireDeadlines(now, SWEEP_LIMIT);
        total += timedOut;
        this.scheduler.publish(changes);
        if (timedOut < SWEEP_LIMIT) break;
      }
      if (total > 0) this.log.info({ timedOut: total }, 'replicas timed out and were reissued');
      const abandoned = await this.jobs.cancelExpiredParts(now);
      if (abandoned.length > 0)
        this.log.warn({ jobs: abandoned }, 'cancelled jobs whose remaining parts never came');
    } catch (err) {
      this.log.error({ err }, 'deadline sweep failed; retrying next tick');
    } finally {
      this.running = false;
    }
    return total;
  }
}
