/**
 * @module
 * In-process notifications after a transaction commits: result streams learn that a job
 * changed, connected agents learn that work is waiting. Only a hint — listeners always
 * re-read the store, so a missed notification delays, never loses.
 */

import { EventEmitter } from 'node:events';

/** A connected agent's push channel. */
export interface AgentChannel {
  send(message: string): void;
}

export class Hub {
  private readonly jobs = new EventEmitter();
  private readonly agents = new Map<number, Set<AgentChannel>>();
  private readonly workMessage = JSON.stringify({ type: 'work' });

  constructor() {
    // Each open result stream listens on its job; thousands are normal.
    this.jobs.setMaxListeners(0);
  }

  onJob(jobId: number, listener: () => void): () => void {
    const key = String(jobId);
    this.jobs.on(key, listener);
    return () => this.jobs.off(key, listener);
  }

  jobsChanged(jobIds: Iterable<number>): void {
    for (const id of jobIds) this.jobs.emit(String(id));
  }

  addAgent(hostId: number, channel: AgentChannel): () => void {
    let set = this.agents.get(hostId);
    if (!set) {
      set = new Set();
      this.agents.set(hostId, set);
    }
    set.add(channel);
    return () => {
      set.delete(channel);
      if (set.size === 0) this.agents.delete(hostId);
    };
  }

  get connectedAgents(): number {
    return this.agents.size;
  }

  /** Tells every connected agent that work is waiting; each pulls what it can take. */
  workAvailable(): void {
    for (const set of this.agents.values()) for (const ch of set) ch.send(this.workMessage);
  }

  cancel(hostId: number, replicaIds: readonly number[]): void {
    const msg = JSON.stringify({ type: 'cancel', replicaIds });
    for (const ch of this.agents.get(hostId) ?? []) ch.send(msg);
  }
}
