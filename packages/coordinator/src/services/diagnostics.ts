/**
 * @module
 * "Why is my job not running" (`GET /v1/jobs/{id}/diagnostics`, `anygrid why`): gathers
 * the hosts connected now (an open work stream, or a pull within the silence the
 * coordinator allows, as the stranded-task sweep counts them; and hosts of other
 * coordinators sharing the store, seen by it within that silence), reads their facts and the
 * job's from the store, and lets policy/why-no-match.ts word the diagnosis. Also the
 * warning in the answer to a job's submission when no connected host could run it.
 */

import { type JobDiagnostics, NotFoundError } from '@anygrid/protocol';
import { diagnose, keptApartMessage, placeable } from '../policy/index.js';
import type { DiagnosticsFacts, Principal, Store } from '../store/store.js';
import type { Hub } from './hub.js';
import type { Scheduler } from './scheduler.js';

export class Diagnostics {
  constructor(
    private readonly store: Store,
    private readonly scheduler: Scheduler,
    private readonly hub: Hub,
    /** How long after its last pull a host still counts as connected. */
    private readonly silenceMs: number,
  ) {}

  /** Hosts connected now: an open work stream, or a pull within the allowed silence. */
  connected(now: number): number[] {
    return [
      ...new Set([
        ...this.hub.connectedHosts(),
        ...this.scheduler.pulledSince(now - this.silenceMs),
      ]),
    ];
  }

  /** Hosts the store saw since then count as connected, to whichever coordinator. */
  seenSince(now: number): number {
    return now - this.silenceMs;
  }

  private async facts(
    principal: Principal,
    jobId: number,
    now: number,
    countTasks = true,
  ): Promise<DiagnosticsFacts> {
    const facts = await this.store.diagnosticsFacts(
      jobId,
      principal,
      this.connected(now),
      now,
      this.seenSince(now),
      countTasks,
    );
    if (!facts) throw new NotFoundError('job', jobId);
    return facts;
  }

  /** The job's diagnosis; throws NotFoundError when the principal may not see it. */
  async of(principal: Principal, jobId: number, now = Date.now()): Promise<JobDiagnostics> {
    const f = await this.facts(principal, jobId, now);
    const diagnosis = diagnose({
      ...(f.placement.requirements ? { requirements: f.placement.requirements } : {}),
      ...(f.placement.pricing ? { pricing: f.placement.pricing } : {}),
      ...(f.placement.shape ? { shape: f.placement.shape } : {}),
      deadlineMs: f.placement.deadlineMs,
      size: f.placement.size,
      hosts: f.hosts,
      tasks: f.tasks,
      ...(f.publicKey === undefined ? {} : { publicKey: f.publicKey }),
      keptApart: f.keptApart,
    });
    return { jobId: f.jobId, state: f.state, tasks: f.tasks, ...diagnosis };
  }

  /**
   * Warnings for a job just submitted with requirements, a size estimate, a price ceiling or
   * a quorum: when
   * hosts are connected and none of them could ever run it, the diagnosis says why; when
   * they could, but are too few accounts for its quorum, that. Empty otherwise (no host
   * connected yet is the normal state of a fresh grid). Its tasks are not counted: a large
   * job's submission would read them all.
   */
  async submitWarnings(principal: Principal, jobId: number, now = Date.now()): Promise<string[]> {
    const f = await this.facts(principal, jobId, now, false);
    if (f.hosts.length === 0) return [];
    const able = f.hosts.filter((h) => placeable(f.placement, h.caps));
    if (able.length > 0) {
      // Hosts could run it, but perhaps not enough of them apart for its tasks to settle.
      const usable = able.filter((h) => !h.quarantined && h.quotaLeft > 0);
      const apart = keptApartMessage(usable, f.keptApart);
      return apart === undefined ? [] : [apart];
    }
    const d = await this.of(principal, jobId, now);
    return [
      `No connected host could run this job (${f.hosts.length} connected); \`anygrid why ${jobId}\` says more.`,
      ...d.requirements.filter((c) => c.failing > 0).map((c) => c.message),
    ];
  }
}
