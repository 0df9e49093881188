/**
 * @module
 * Keeps the leases of this host's replicas fresh. At the interval the coordinator gave
 * at registration, the agent names every replica it still holds — buffered, running, or
 * finished but not yet acknowledged — and learns which of them the coordinator no longer
 * wants (cancelled, settled, given to someone else), which the agent then stops.
 * A heartbeat also carries what changed about the host (`update`: free disk, a new
 * benchmark speed). It goes even when the host holds nothing: an empty list tells the
 * coordinator that whatever it wrote to the host some time ago never arrived.
 * A failed heartbeat is only logged: the next one may succeed, and a lease that lapses
 * costs a late report, never a wrong one.
 */

import type { HeartbeatRequest, HostUpdate } from '@anygrid/protocol';
import type { Logger } from 'pino';
import type { CoordinatorClient } from './coordinator-client.js';

export interface HeartbeatOptions {
  readonly client: Pick<CoordinatorClient, 'heartbeat'>;
  readonly hostId: number;
  readonly intervalMs: number;
  readonly logger: Logger;
  /** Replica ids whose leases matter now. */
  readonly held: () => number[];
  /** Replicas the coordinator says to stop. */
  readonly onCancel: (replicaIds: number[]) => void;
  /** New deadlines of the replicas whose leases were extended. */
  readonly onExtended?: (extended: readonly { replicaId: number; deadline: number }[]) => void;
  /**
   * A heartbeat got through after one or more failed: the coordinator is back. The agent
   * cuts its other backoffs short (reports, work stream, pulls), so a coordinator restart
   * costs its downtime and not the seconds of backoff that follow it.
   */
  readonly onRecovered?: () => void;
  /** What changed about the host since the coordinator was last told; undefined: nothing. */
  readonly update?: () => HostUpdate | undefined;
  /** The coordinator took the update a heartbeat carried. */
  readonly onUpdated?: (update: HostUpdate) => void;
}

/** Largest list one heartbeat may carry. */
const MAX_IDS = 10_000;

/** Periodic lease renewal for a host's replicas. */
export class Heartbeat {
  private readonly timer: ReturnType<typeof setInterval>;
  private beating = false;
  private failures = 0;
  private readonly lifetime = new AbortController();

  constructor(private readonly options: HeartbeatOptions) {
    this.timer = setInterval(() => void this.beat(), Math.max(100, options.intervalMs));
    // Node: the timer alone must not keep the process alive. A browser's timer is a number.
    (this.timer as { unref?: () => void }).unref?.();
  }

  /**
   * Sends one heartbeat now (skipped when one is already on its way). It goes out even
   * when nothing is held: the coordinator learns from the list what never reached the
   * host (an answer lost as the coordinator died) and gives it to another host.
   */
  async beat(): Promise<void> {
    if (this.beating) return;
    const ids = this.options.held();
    const update = this.options.update?.();
    this.beating = true;
    const { client, hostId, logger } = this.options;
    try {
      for (let i = 0; i === 0 || i < ids.length; i += MAX_IDS) {
        const replicaIds = ids.slice(i, i + MAX_IDS);
        const body: HeartbeatRequest = { hostId, replicaIds };
        if (ids.length > MAX_IDS) body.partial = true;
        if (i === 0 && update !== undefined) body.update = update;
        const answer = await client.heartbeat(body, this.lifetime.signal);
        if (i === 0 && update !== undefined) this.options.onUpdated?.(update);
        this.options.onExtended?.(answer.extended);
        if (answer.cancel.length > 0) {
          logger.info({ replicaIds: answer.cancel }, 'coordinator cancelled replicas');
          this.options.onCancel(answer.cancel);
        }
      }
      const recovered = this.failures > 0;
      this.failures = 0;
      if (recovered) this.options.onRecovered?.();
    } catch (error) {
      if (this.lifetime.signal.aborted) return;
      this.failures += 1;
      // One warning per outage; the rest at debug, or a long outage floods the log.
      const log = this.failures === 1 ? logger.warn : logger.debug;
      log.call(logger, { err: error, failures: this.failures }, 'heartbeat failed');
    } finally {
      this.beating = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.lifetime.abort();
  }
}
