/**
 * @module
 * One account's ready replicas, in the order the account's own work is served: higher
 * priority first; within a priority, reissued replicas before fresh ones (a retry should
 * not wait behind a million new tasks), then the account's jobs in turn, each first come
 * first served. Jobs take turns so that a job of a million tasks does not starve one of
 * ten submitted after it: each request is split evenly between the jobs with work
 * waiting, and the job served first moves round. A host is never offered a replica of
 * a task it already holds.
 *
 * Data locality: a replica whose task needs large blobs (its module or inputs of at
 * least `LOCALITY_BLOB_BYTES`) waits in a group of replicas of its job needing the same
 * blobs, not in the plain lanes. Within a priority a host is served first from the
 * groups whose blobs it holds, then plain replicas, then groups it would have to
 * download for, and those only when `worthFetching` says so (transfer-choice.ts). Groups
 * served move to the back, so groups take turns too. Plain replicas pay one check per
 * priority level for this: the fast path stays as it was.
 *
 * Every entry a request looks at passes through `takeFrom`; a job's lane is skipped as a
 * whole in `takeJobs`: the two places where a check of whether a host may run a job
 * belongs.
 */

import {
  type Entry,
  Group,
  JobGate,
  Lane,
  type LargeBlob,
  SCAN_LIMIT,
  type Take,
} from './ready-lanes.js';
import { worthFetching } from './transfer-choice.js';

class Level {
  readonly reissues = new Lane();
  /** Fresh replicas not needing large blobs, one lane per job. */
  readonly jobs = new Map<number, Lane>();
  /** The lanes of `jobs`, in the order they take turns. */
  ring: Lane[] = [];
  /** Which lane of `ring` the next request starts with. */
  turn = 0;
  size = 0;
  /** Replicas needing large blobs, by job and the blobs they need; created when the first comes. */
  groups: Map<string, Group> | undefined;
}

export class AccountQueue {
  private readonly levels = new Map<number, Level>();
  /** Priorities present, highest first. */
  private priorities: number[] = [];
  /** Entries queued, taken ones not counted (dropped jobs' are, until they come up). */
  size = 0;

  push(entry: Entry): void {
    const { priority, reissue, jobId } = entry.replica;
    let level = this.levels.get(priority);
    if (!level) {
      level = new Level();
      this.levels.set(priority, level);
      this.priorities = [...this.levels.keys()].sort((a, b) => b - a);
    }
    const large = entry.replica.large;
    if (large && large.length > 0) {
      const group = groupOf(level, jobId, large);
      (reissue ? group.reissues : group.fresh).push(entry);
      group.size++;
    } else if (reissue) level.reissues.push(entry);
    else {
      let lane = level.jobs.get(jobId);
      if (!lane) {
        lane = new Lane(jobId);
        level.jobs.set(jobId, lane);
        level.ring.push(lane);
      }
      lane.push(entry);
    }
    level.size++;
    this.size++;
  }

  /**
   * Moves entries the host may run to `t.out`, at most one per task and up to `t.limit`,
   * highest priority first. The host is recorded against each task it takes. With a
   * locality view, replicas needing large blobs go first to hosts that hold them (see
   * the module comment); without one they are served like any other, after plain ones.
   */
  take(t: Take): void {
    for (let i = 0; i < this.priorities.length; ) {
      const priority = this.priorities[i] as number;
      const level = this.levels.get(priority) as Level;
      if (level.groups && t.locality?.holdsAny(t.hostId)) this.takeGroups(level, t, true);
      this.takeFrom(level.reissues, level, undefined, t);
      level.reissues.compact();
      this.takeJobs(level, t);
      if (level.groups) this.takeGroups(level, t, false);
      if (level.size === 0) {
        this.levels.delete(priority);
        this.priorities.splice(i, 1);
      } else i++;
      if (t.out.length >= t.limit || t.scanned >= SCAN_LIMIT) break;
    }
  }

  /** Fresh replicas of the level's jobs: the request split evenly between them, in turn. */
  private takeJobs(level: Level, t: Take): void {
    const ring = level.ring;
    if (ring.length === 0) return;
    if (ring.length === 1) {
      const lane = ring[0] as Lane;
      this.takeFromJob(lane, level, t);
      if (lane.live === 0) this.removeJob(level, lane);
      return;
    }
    const limit = t.limit;
    const start = level.turn++ % ring.length;
    let emptied = false;
    while (t.out.length < limit && t.scanned < SCAN_LIMIT) {
      const before = t.out.length;
      for (let k = 0; k < ring.length && t.out.length < limit; k++) {
        const lane = ring[(start + k) % ring.length] as Lane;
        if (lane.live === 0) continue;
        // An even part of what is left for this job; what it cannot use goes to the next.
        t.limit = t.out.length + Math.ceil((limit - t.out.length) / (ring.length - k));
        this.takeFromJob(lane, level, t);
        if (lane.live === 0) emptied = true;
      }
      t.limit = limit;
      if (t.out.length === before) break;
    }
    if (emptied) {
      for (const lane of ring) if (lane.live === 0) level.jobs.delete(lane.jobId);
      level.ring = ring.filter((lane) => lane.live > 0);
    }
  }

  private takeFromJob(lane: Lane, level: Level, t: Take): void {
    if (t.dropped.has(lane.jobId)) {
      // A cancelled job's lane goes at once, however long.
      const n = lane.clear();
      level.size -= n;
      this.size -= n;
      return;
    }
    // A job the host may not run is passed over whole, not entry by entry.
    if (t.gate !== undefined && !t.gate.allows(lane.jobId)) return;
    this.takeFrom(lane, level, undefined, t);
    lane.compact();
  }

  private removeJob(level: Level, lane: Lane): void {
    level.jobs.delete(lane.jobId);
    level.ring = level.ring.filter((l) => l !== lane);
  }

  /** Takes from the groups the host holds (`held`), or from those worth fetching for. */
  private takeGroups(level: Level, t: Take, held: boolean): void {
    const groups = level.groups as Map<string, Group>;
    let served: string[] | undefined;
    for (const [key, group] of groups) {
      if (t.out.length >= t.limit || t.scanned >= SCAN_LIMIT) break;
      t.scanned++;
      const missing = t.locality ? group.missingBytes(t.hostId, t.locality) : 1;
      if (held !== (missing === 0)) continue;
      if (
        t.locality &&
        !held &&
        !worthFetching({
          missingBytes: missing,
          bandwidth: t.locality.bandwidth(t.hostId),
          backlog: group.size,
          takeRate: group.rate(t.now),
          liveHolder: t.locality.liveHolder(group.hashes, t.hostId, t.now),
        })
      ) {
        continue;
      }
      const before = t.out.length;
      // Whether the host may run the group's job counts the time to fetch what it lacks.
      const transferMs = t.locality ? (missing / t.locality.bandwidth(t.hostId)) * 1000 : 0;
      const gate = t.eligible && new JobGate(t.eligible, transferMs);
      this.takeFrom(group.reissues, level, group, t, gate);
      group.reissues.compact();
      this.takeFrom(group.fresh, level, group, t, gate);
      group.fresh.compact();
      if (t.out.length > before) group.taken(t.out.length - before, t.now);
      if (group.size === 0) groups.delete(key);
      else if (t.out.length > before) {
        served ??= [];
        served.push(key);
      }
    }
    // Groups served go to the back: the next request starts with another job's group.
    for (const key of served ?? []) {
      const group = groups.get(key) as Group;
      groups.delete(key);
      groups.set(key, group);
    }
    if (groups.size === 0) level.groups = undefined;
  }

  private takeFrom(
    lane: Lane,
    level: Level,
    group: Group | undefined,
    t: Take,
    gate: JobGate | undefined = t.gate,
  ): void {
    const { hostId, out, dropped } = t;
    const items = lane.items;
    for (
      let i = lane.head;
      i < items.length && out.length < t.limit && t.scanned < SCAN_LIMIT;
      i++
    ) {
      const entry = items[i];
      if (!entry) continue;
      t.scanned++;
      const isDropped = dropped.has(entry.replica.jobId);
      if (!isDropped && entry.cell?.hosts.includes(hostId)) continue;
      // A job the host may not run stays queued for other hosts.
      if (!isDropped && gate !== undefined && !gate.allows(entry.replica.jobId)) continue;
      items[i] = null;
      lane.live--;
      level.size--;
      if (group) group.size--;
      this.size--;
      if (isDropped) continue;
      entry.cell?.hosts.push(hostId);
      out.push(entry.replica);
    }
  }
}

function groupOf(level: Level, jobId: number, large: readonly LargeBlob[]): Group {
  level.groups ??= new Map();
  const blobs =
    large.length === 1 ? (large[0] as LargeBlob).hash : large.map((b) => b.hash).join(',');
  const key = `${jobId}:${blobs}`;
  let group = level.groups.get(key);
  if (!group) {
    group = new Group(large);
    level.groups.set(key, group);
  }
  return group;
}
