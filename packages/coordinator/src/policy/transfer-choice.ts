/**
 * @module
 * Whether a host that lacks a task's large inputs should take it now, or leave it to a
 * host that holds them. Waiting for a holder is worth it only while the holders would get
 * to the task sooner than this host could download the inputs: the holders' backlog of
 * such tasks, at the pace they have been taking them, against the bytes missing at the
 * host's bandwidth. With no holder pulling, or holders not taking any, the task goes to
 * whoever asks. Pure.
 */

/** Bandwidth assumed for a host whose own is unknown: a modest home link, 40 Mbit/s. */
export const DEFAULT_BANDWIDTH_BYTES_PER_S = 5_000_000;

export interface TransferChoice {
  /** Bytes of the task's large inputs this host would have to download. */
  readonly missingBytes: number;
  /** This host's download bandwidth, bytes per second. */
  readonly bandwidth: number;
  /** Tasks waiting that need the same inputs. */
  readonly backlog: number;
  /** Tasks needing these inputs taken per second lately (by any host). */
  readonly takeRate: number;
  /** Whether another host that holds the inputs has asked for work lately. */
  readonly liveHolder: boolean;
}

/** True when the host should take the task (and fetch its inputs) rather than leave it. */
export function worthFetching(c: TransferChoice): boolean {
  if (!c.liveHolder || c.takeRate <= 0 || c.missingBytes <= 0) return true;
  const drainMs = (c.backlog / c.takeRate) * 1000;
  const transferMs = (c.missingBytes / Math.max(1, c.bandwidth)) * 1000;
  return drainMs > transferMs;
}
