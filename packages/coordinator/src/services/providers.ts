/**
 * @module
 * The provider's side: hosts join, pull work, report, extend leases and hand work back.
 * Every call first proves the host belongs to the caller's account; a provider never
 * sees or touches another's assignments.
 */

import {
  type AbandonRequest,
  type BlobInventoryDelta,
  BlobMissingError,
  type CheckpointRequest,
  type CheckpointResponse,
  ForbiddenError,
  FREE_ASKS,
  type HeartbeatRequest,
  type HeartbeatResponse,
  HostUnknownError,
  InvalidRequestError,
  type RegisterHostRequest,
  type ReportBatch,
  type ReportResponse,
} from '@anygrid/protocol';
import type { BlobStore } from '../blobs/blob-store.js';
import type { Principal, Store } from '../store/store.js';
import type { Metrics } from './metrics.js';
import { verifyReports } from './report-verifier.js';
import type { Scheduler, WorkGiven } from './scheduler.js';

export class Providers {
  private readonly owners = new Map<number, number>();

  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly scheduler: Scheduler,
    private readonly metrics: Metrics,
    private readonly limits: {
      /** Most hosts seen in the last day one account may have; absent: no cap. */
      readonly maxHostsPerAccount?: number;
      /**
       * How long after it was written to a host a replica its heartbeat does not list is
       * taken as lost on the way (the silence a host is allowed: any answer in flight has
       * arrived by then).
       */
      readonly lostAfterMs: number;
    },
  ) {}

  /**
   * Registers a host seen at `address`; throws HostLimitError past the account's cap. A
   * device registering again under its host id gets back none of the replicas it had in
   * progress but those it says it still holds: the others go to other hosts at once.
   */
  async register(
    principal: Principal,
    req: RegisterHostRequest,
    address?: string,
  ): Promise<{ hostId: number; released: number }> {
    const { hostId, released, changes, bandwidth } = await this.store.joinHost(
      principal.accountId,
      req,
      Date.now(),
      { address: address ?? null, maxHostsPerAccount: this.limits.maxHostsPerAccount },
    );
    // What it holds now replaces whatever a previous run of this host reported; the
    // bandwidth it measured before holds until it reports another (after a restart of
    // this coordinator too).
    const held = { held: req.blobs ?? [], dropped: [], full: true };
    this.scheduler.noteBlobs(hostId, bandwidth === undefined ? held : { ...held, bandwidth });
    // So does what it declared: its next pull reads it again.
    this.scheduler.placement.forgetHost(hostId);
    // No asks: a volunteer, the cheapest bidder of all.
    this.scheduler.placement.noteAsks(hostId, req.asks ?? FREE_ASKS);
    this.scheduler.publish(changes);
    return { hostId, released };
  }

  /** Drops cached owners of hosts that moved to another account (a volunteer linked theirs). */
  forgetOwners(hostIds: readonly number[]): void {
    for (const id of hostIds) this.owners.delete(id);
  }

  /** Throws unless the host exists and belongs to the caller's account. */
  async requireHost(principal: Principal, hostId: number): Promise<void> {
    let owner = this.owners.get(hostId);
    // Asked again before refusing: the host may have moved to this account through another
    // coordinator sharing the store, whose `forgetOwners` this cache never heard.
    if (owner !== undefined && owner !== principal.accountId) owner = undefined;
    if (owner === undefined) {
      const found = await this.store.hostOwner(hostId);
      if (found !== null) this.owners.set(hostId, found);
      owner = found ?? undefined;
    }
    if (owner === undefined) throw new HostUnknownError(hostId);
    if (owner !== principal.accountId) {
      throw new ForbiddenError(
        `Host ${hostId} does not belong to this token's account; register with POST /v1/hosts.`,
        {
          hostId,
        },
      );
    }
  }

  async work(
    principal: Principal,
    hostId: number,
    max: number,
    blobs?: BlobInventoryDelta,
    bufferSeconds?: number,
  ): Promise<WorkGiven> {
    await this.requireHost(principal, hostId);
    if (blobs) this.scheduler.noteBlobs(hostId, blobs);
    // Sent only when it moved (the agent's blob-inventory.ts): a rare write, kept for the host's view.
    if (blobs?.bandwidth !== undefined) await this.store.recordBandwidth(hostId, blobs.bandwidth);
    const given = await this.scheduler.assign(hostId, max, principal.accountId, bufferSeconds);
    this.metrics.assigned.inc(given.assignments.length);
    return given;
  }

  async report(principal: Principal, batch: ReportBatch): Promise<ReportResponse> {
    await this.requireHost(principal, batch.hostId);
    const verified = await verifyReports(this.blobs, batch.reports);
    const { statuses, changes } = await this.store.applyReports(batch.hostId, verified, Date.now());
    this.scheduler.publish(changes);
    // One increment per status, not per report: a labelled inc costs about a microsecond.
    const counts = new Map<string, number>();
    for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
    for (const [status, n] of counts) this.metrics.reports.inc({ status }, n);
    return {
      results: statuses.map((status, i) => ({
        replicaId: batch.reports[i]?.replicaId as number,
        status,
      })),
    };
  }

  async heartbeat(principal: Principal, req: HeartbeatRequest): Promise<HeartbeatResponse> {
    await this.requireHost(principal, req.hostId);
    if (req.update !== undefined) {
      await this.store.updateHost(req.hostId, req.update);
      this.scheduler.placement.forgetHost(req.hostId);
      this.scheduler.placement.noteAsks(req.hostId, req.update.asks);
    }
    const now = Date.now();
    // A partial list cannot tell what is missing: nothing counts as lost by it.
    const lostBefore = req.partial ? Number.NEGATIVE_INFINITY : now - this.limits.lostAfterMs;
    const { extended, cancel, released, changes } = await this.store.heartbeat(
      req.hostId,
      req.replicaIds,
      now,
      lostBefore,
    );
    if (released > 0) {
      this.scheduler.publish(changes);
      this.metrics.lostReplicas.inc(released);
    }
    return { extended, cancel };
  }

  /**
   * Keeps a running replica's newest checkpoint, checked like any blob a provider names:
   * it must be stored, with the size claimed (its bytes hashed to its name on upload).
   * Only the host holding the replica may set it (the store checks, in its transaction).
   */
  async checkpoint(principal: Principal, req: CheckpointRequest): Promise<CheckpointResponse> {
    await this.requireHost(principal, req.hostId);
    if (req.state !== null) {
      const size = await this.blobs.size(req.state.hash);
      if (size === null) throw new BlobMissingError([req.state.hash]);
      if (size !== req.state.size) {
        throw new InvalidRequestError(
          `state: blob ${req.state.hash} has ${size} bytes, not ${req.state.size}.`,
          { path: 'state.size' },
        );
      }
    }
    const status = await this.store.recordCheckpoint(
      req.hostId,
      req.replicaId,
      req.state,
      req.fraction,
      Date.now(),
    );
    return { status };
  }

  async abandon(principal: Principal, req: AbandonRequest): Promise<{ abandoned: number }> {
    await this.requireHost(principal, req.hostId);
    const { abandoned, changes } = await this.store.abandon(req.hostId, req.replicaIds, Date.now());
    this.scheduler.publish(changes);
    return { abandoned };
  }
}
