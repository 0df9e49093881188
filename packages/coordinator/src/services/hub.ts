/**
 * @module
 * In-process notifications after a transaction commits: result streams learn that a job
 * changed, dashboards that the grid changed, connected agents that work is waiting. Only
 * a hint — listeners always re-read the store, so a missed notification delays, never
 * loses.
 */

import { EventEmitter } from 'node:events';

/** A connected agent's push channel. */
export interface AgentChannel {
  send(message: string): void;
}

/** Extra hosts told beyond the number of ready replicas, in case some are slow to pull. */
const NOTIFY_SLACK = 8;

export class Hub {
  private readonly jobs = new EventEmitter();
  private readonly agents = new Map<number, Set<AgentChannel>>();
  /** Connected hosts whose last pull got less than they asked for, oldest first. */
  private readonly hungry = new Set<number>();
  private readonly workMessage = JSON.stringify({ type: 'work' });
  /** Open dashboards: told of every change, which they gather and read at most once a second. */
  private readonly watchers = new Set<(jobIds: readonly number[]) => void>();

  constructor() {
    // Each open result stream listens on its job; thousands are normal.
    this.jobs.setMaxListeners(0);
  }

  onJob(jobId: number, listener: () => void): () => void {
    const key = String(jobId);
    this.jobs.on(key, listener);
    return () => this.jobs.off(key, listener);
  }

  /** Jobs with a result stream open on this coordinator. */
  watchedJobs(): number[] {
    return this.jobs.eventNames().map(Number);
  }

  jobsChanged(jobIds: readonly number[]): void {
    for (const id of jobIds) this.jobs.emit(String(id));
    for (const watch of this.watchers) watch(jobIds);
  }

  /**
   * Calls `listener` after each change: with the jobs a transaction changed, or with none
   * when hosts connected or left. Returns the unsubscribe function.
   */
  onGrid(listener: (jobIds: readonly number[]) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  private hostsChanged(): void {
    for (const watch of this.watchers) watch([]);
  }

  addAgent(hostId: number, channel: AgentChannel): () => void {
    let set = this.agents.get(hostId);
    if (!set) {
      set = new Set();
      this.agents.set(hostId, set);
    }
    set.add(channel);
    this.hungry.add(hostId);
    this.hostsChanged();
    return () => {
      set.delete(channel);
      if (set.size === 0) {
        this.agents.delete(hostId);
        this.hungry.delete(hostId);
        this.hostsChanged();
      }
    };
  }

  /** Whether the host has an open work stream now. */
  isConnected(hostId: number): boolean {
    return this.agents.has(hostId);
  }

  /** Hosts with an open work stream now. */
  connectedHosts(): number[] {
    return [...this.agents.keys()];
  }

  get connectedAgents(): number {
    return this.agents.size;
  }

  /** Records whether a host's last pull left it wanting more. */
  markHungry(hostId: number, hungry: boolean): void {
    if (!this.agents.has(hostId)) return;
    if (hungry) this.hungry.add(hostId);
    else this.hungry.delete(hostId);
  }

  /**
   * Tells hungry hosts that `ready` replicas wait: about as many as there is work for
   * (each pulls up to its free slots), not every connected host — ten thousand agents
   * racing for one task would be a thundering herd. Busy hosts pull on their own as
   * slots free up.
   */
  workAvailable(ready: number): void {
    let budget = ready + NOTIFY_SLACK;
    for (const hostId of this.hungry) {
      if (budget-- <= 0) break;
      this.hungry.delete(hostId);
      for (const ch of this.agents.get(hostId) ?? []) ch.send(this.workMessage);
    }
  }

  /** Tells one host that work may wait for it (a host released from quarantine, say). */
  nudge(hostId: number): void {
    this.hungry.add(hostId);
    for (const ch of this.agents.get(hostId) ?? []) ch.send(this.workMessage);
  }

  cancel(hostId: number, replicaIds: readonly number[]): void {
    const msg = JSON.stringify({ type: 'cancel', replicaIds });
    for (const ch of this.agents.get(hostId) ?? []) ch.send(msg);
  }
}
