/**
 * @module
 * When a task that keeps failing has nowhere left to go. A task whose replicas errored
 * on (or were refused by) every connected host it may be sent to would wait forever for a
 * new host: the rule that a task never runs twice on one host (nor, for compared jobs,
 * on two hosts of one account or network) keeps it from the hosts at hand. It ends
 * `failed` with the reason `no_eligible_host` once no connected host may take it and no
 * host joined for `boundMs`. A task with nothing failed yet is left to wait: a small pool
 * is slow, not broken.
 */

/** A host the coordinator heard from lately, as the placement rules see it. */
export interface ConnectedHost {
  readonly id: number;
  readonly account: number;
  /** Its network under the coordinator's rule (policy/network-prefix.ts), or null. */
  readonly network: string | null;
  readonly platform: string;
  readonly quarantined: boolean;
}

/** A host that holds or held a replica of the task (not one it handed back). */
export interface TaskHolder {
  readonly hostId: number;
  readonly account: number;
  /** Its network prefix as stored, or null. */
  readonly network: string | null;
  readonly platform: string;
}

export interface StrandedFacts {
  /** The job keeps a task's replicas off hosts of one account or network. */
  readonly apart: boolean;
  /** The job keeps a task's replicas on one platform. */
  readonly homogeneous: boolean;
  readonly holders: readonly TaskHolder[];
  readonly connected: readonly ConnectedHost[];
  /**
   * Since when the task has waited with nobody to take it: the latest of its waiting
   * replica's creation, the newest host's joining and the coordinator's start (epoch ms).
   */
  readonly waitingSince: number;
}

/** The stranded-task bound unless configured: a minute for a new host to join. */
export const DEFAULT_STRANDED_MS = 60_000;

/** Whether the placement rules let `host` take a replica of the task. */
export function mayHold(
  host: ConnectedHost,
  f: Pick<StrandedFacts, 'apart' | 'homogeneous' | 'holders'>,
): boolean {
  if (host.quarantined) return false;
  return !f.holders.some(
    (h) =>
      h.hostId === host.id ||
      (f.apart &&
        (h.account === host.account || (host.network !== null && h.network === host.network))) ||
      (f.homogeneous && h.platform !== host.platform),
  );
}

/** Whether the task should end failed (`no_eligible_host`) at `now`. */
export function isStranded(f: StrandedFacts, now: number, boundMs: number): boolean {
  if (now - f.waitingSince < boundMs) return false;
  return !f.connected.some((host) => mayHold(host, f));
}

/** The human sentence that goes with `no_eligible_host`. */
export function strandedMessage(boundMs: number): string {
  return (
    'The task failed on every connected host that may run it, and no new host joined ' +
    `within ${Math.round(boundMs / 1000)} s.`
  );
}
