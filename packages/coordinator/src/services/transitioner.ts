/**
 * @module
 * Enforces deadlines: replicas whose lease ran out time out and their tasks get new
 * replicas, and jobs whose requester stopped sending their parts are cancelled. Keeps
 * work moving under churn: hosts silent for a few heartbeats lose their replicas long
 * before the deadline (policy/liveness.ts), and a task failed by every host that may
 * take it ends rather than wait for a host that never comes (policy/stranded-task.ts).
 * Once a minute it also marks the hosts connected now (work stream open, pulling, or
 * seen in the store) for their availability (policy/availability.ts).
 * Runs on a short timer; each sweep is one store transaction, bounded so a backlog never
 * blocks the event loop for long. With several coordinators on one store, only the holder
 * of the leader lease (leadership.ts) sweeps; every one marks its own connected hosts.
 */

import type { Logger } from 'pino';
import { silentBefore } from '../policy/index.js';
import type { Store } from '../store/store.js';
import type { Hub } from './hub.js';
import type { Jobs } from './jobs.js';
import type { Scheduler } from './scheduler.js';

const SWEEP_LIMIT = 1000;

/** Whether this coordinator runs the duties that must run once (leadership.ts). */
export interface LeaderCheck {
  readonly isLeader: boolean;
}

/** How the churn sweeps are tuned (see `CoordinatorOptions`). */
export interface LivenessOptions {
  /** Open work streams: their hosts count as connected. */
  readonly hub: Hub;
  /** When this coordinator started (epoch ms): silence is counted from no earlier. */
  readonly startedAt: number;
  /** How long a host may stay silent before its replicas are taken back. */
  readonly silenceMs: number;
  /** How long a task failed everywhere waits for a new host before it fails. */
  readonly strandedMs: number;
}

/**
 * Longest gap between two stranded-task sweeps: each reads every failed replica of an
 * active task, so it runs a few times per bound (`strandedMs / 4`), not every tick.
 */
const STRANDED_SWEEP_MAX_MS = 15_000;

/**
 * How often connected hosts are marked for their availability: well within a
 * quarter-hour, so a host connected for part of one is seen in it.
 */
export const AVAILABILITY_SWEEP_MS = 60_000;

export class Transitioner {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private strandedSweptAt = 0;
  private availabilitySweptAt: number | undefined;

  constructor(
    private readonly store: Store,
    private readonly scheduler: Scheduler,
    private readonly jobs: Jobs,
    private readonly log: Logger,
    private readonly intervalMs: number,
    private readonly liveness?: LivenessOptions,
    private readonly leader?: LeaderCheck,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Takes work back from silent hosts, then fails tasks no connected host may take. */
  private async churn(o: LivenessOptions, now: number): Promise<void> {
    const cutoff = silentBefore(now, o.startedAt, o.silenceMs);
    if (cutoff !== null) {
      const silent = await this.store.releaseSilentHosts(cutoff, now);
      this.scheduler.publish(silent.changes);
      if (silent.released > 0) {
        this.log.info(
          { hosts: silent.hosts, released: silent.released },
          'silent hosts lost their replicas to other hosts',
        );
      }
    }
    const every = Math.min(STRANDED_SWEEP_MAX_MS, o.strandedMs / 4);
    if (now - this.strandedSweptAt < every) return;
    this.strandedSweptAt = now;
    const seenSince = now - o.silenceMs;
    const connected = [...o.hub.connectedHosts(), ...this.scheduler.pulledSince(seenSince)];
    const scope = {
      seenSince,
      connected,
      startedAt: o.startedAt,
      boundMs: o.strandedMs,
      limit: SWEEP_LIMIT,
    };
    const stranded = await this.store.failStrandedTasks(scope, now);
    this.scheduler.publish(stranded.changes);
    if (stranded.failed > 0) {
      this.log.warn({ tasks: stranded.failed }, 'tasks failed: no eligible host left to run them');
    }
  }

  /** Marks the hosts connected since the last such sweep, once a minute. */
  private async markAvailable(o: LivenessOptions, now: number): Promise<void> {
    const last = this.availabilitySweptAt;
    if (last !== undefined && now - last < AVAILABILITY_SWEEP_MS) return;
    this.availabilitySweptAt = now;
    // No later than the stranded sweep's bound: pulledSince forgets older pulls.
    const since = Math.min(last ?? now - AVAILABILITY_SWEEP_MS, now - o.silenceMs);
    const connected = [...o.hub.connectedHosts(), ...this.scheduler.pulledSince(since)];
    try {
      await this.store.markAvailable(connected, since, now);
    } catch (err) {
      // A statistic: never worth holding back the silence and stranded sweeps after it.
      this.log.warn({ err }, 'could not mark connected hosts for their availability');
    }
  }

  /** Times out everything overdue now; returns how many replicas timed out. */
  async sweep(now = Date.now()): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let total = 0;
    let reissued = 0;
    try {
      // Its own connected hosts: every coordinator marks those it sees.
      if (this.liveness) await this.markAvailable(this.liveness, now);
      if (this.leader && !this.leader.isLeader) return 0;
      for (;;) {
        const { timedOut, changes } = await this.store.expireDeadlines(now, SWEEP_LIMIT);
        total += timedOut;
        reissued += changes.ready.length;
        this.scheduler.publish(changes);
        if (timedOut < SWEEP_LIMIT) break;
      }
      // Replicas of a task settled meanwhile (a cancelled job's, say) are not reissued.
      if (total > 0) this.log.info({ timedOut: total, reissued }, 'replicas timed out');
      if (this.liveness) await this.churn(this.liveness, now);
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
