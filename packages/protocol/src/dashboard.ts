/**
 * @module
 * What the live dashboard reads: the grid's counters as server-sent events
 * (`GET /v1/events`: a snapshot of counters, then the jobs that changed since), and one
 * job's tasks with their replicas (`GET /v1/jobs/{id}/tasks`), each replica with the host
 * that ran it and what its validation found. Requesters see their own jobs, admins all.
 */

import { z } from 'zod';
import { JobView } from './job.js';

/** Hosts online of one kind (platform: `linux-x64`, `browser-wasm`, …). */
export const HostKindCount = z.strictObject({
  platform: z.string(),
  hosts: z.number().int(),
  /** Tasks these hosts run at once, added up. */
  slots: z.number().int(),
});
export type HostKindCount = z.infer<typeof HostKindCount>;

/** One failure code and how many replicas of running tasks failed with it. */
export const FailureCount = z.strictObject({
  /** A `FailureCode`, or `timed_out` for a replica its host did not report in time. */
  code: z.string(),
  count: z.number().int(),
});
export type FailureCount = z.infer<typeof FailureCount>;

/** A failed replica, newest first in a snapshot. */
export const FailureView = z.strictObject({
  replicaId: z.number().int(),
  jobId: z.number().int(),
  taskIndex: z.number().int(),
  hostId: z.number().int().nullable(),
  hostName: z.string().nullable(),
  platform: z.string().nullable(),
  code: z.string(),
  message: z.string(),
  /** When it was reported or given up on (epoch ms); null if unknown. */
  at: z.number().int().nullable(),
});
export type FailureView = z.infer<typeof FailureView>;

/** The grid's counters as the caller may see them, at one instant. */
export const GridSnapshot = z.strictObject({
  /** When the counters were read (coordinator clock, epoch ms). */
  at: z.number().int(),
  /**
   * Hosts online by kind: with an open push channel, or seen within the liveness window.
   * Every caller sees the whole grid's capacity (no host names or accounts).
   */
  hostsOnline: z.array(HostKindCount),
  /** Tasks of the caller's jobs (admins: all jobs not purged) by state. */
  tasks: z.strictObject({
    pending: z.number().int(),
    valid: z.number().int(),
    failed: z.number().int(),
    noConsensus: z.number().int(),
    cancelled: z.number().int(),
  }),
  /** Replicas of those jobs waiting for a host and running on one. */
  replicas: z.strictObject({ unsent: z.number().int(), inProgress: z.number().int() }),
  /**
   * Tasks validated in all, over the same jobs: the dashboard plots its change between
   * snapshots as validated tasks per second.
   */
  validated: z.number().int(),
  /** Failed replicas of active tasks, by code (most frequent first). */
  failureCodes: z.array(FailureCount),
  /** The newest failed replicas of active tasks (at most `RECENT_FAILURES`). */
  failures: z.array(FailureView),
});
export type GridSnapshot = z.infer<typeof GridSnapshot>;

/** Most failed replicas a snapshot lists. */
export const RECENT_FAILURES = 20;

/** Most jobs the first `jobs` event of a stream carries, newest first. */
export const DASHBOARD_JOBS = 100;

/**
 * Events of `GET /v1/events`; the SSE event name is `type`. A stream opens with a `jobs`
 * event (`full`: the newest jobs) and a `snapshot`; then, as the grid changes, a
 * snapshot at most once a second and `jobs` with only the jobs that changed.
 */
export const DashboardEvent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('snapshot'), snapshot: GridSnapshot }),
  z.strictObject({
    type: z.literal('jobs'),
    /** True on the first event: the list replaces what the client had. */
    full: z.boolean(),
    jobs: z.array(JobView),
  }),
]);
export type DashboardEvent = z.infer<typeof DashboardEvent>;

/** `GET /v1/jobs/{id}/tasks`: a page of a job's tasks by index. */
export const JobTasksQuery = z.strictObject({
  /** The index after which the page starts; -1 (default) starts at task 0. */
  after: z.coerce.number().int().min(-1).default(-1),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** `failed`: only tasks that failed or have a failed replica. */
  only: z.enum(['all', 'failed']).default('all'),
});
export type JobTasksQuery = z.infer<typeof JobTasksQuery>;

/** One replica of a task: where it ran and what became of it. */
export const ReplicaDetail = z.strictObject({
  id: z.number().int(),
  /** unsent, in_progress, reported, errored, timed_out, abandoned, refused. */
  state: z.string(),
  /** valid or invalid once judged against the task's canonical result; else null. */
  validation: z.string().nullable(),
  host: z.strictObject({ id: z.number().int(), name: z.string(), platform: z.string() }).nullable(),
  exitCode: z.number().int().nullable(),
  error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  durationMs: z.number().nullable(),
  sentAt: z.number().int().nullable(),
  reportedAt: z.number().int().nullable(),
});
export type ReplicaDetail = z.infer<typeof ReplicaDetail>;

export const TaskDetail = z.strictObject({
  index: z.number().int(),
  taskId: z.number().int(),
  /** active, valid, failed, no_consensus, cancelled. */
  state: z.string(),
  /** Why the coordinator failed it (no_eligible_host, parent_failed), when it did. */
  reason: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  replicas: z.array(ReplicaDetail),
});
export type TaskDetail = z.infer<typeof TaskDetail>;

export const JobTaskPage = z.strictObject({
  tasks: z.array(TaskDetail),
  /** Pass as `after` for the next page; null when this page was the last. */
  next: z.number().int().nullable(),
});
export type JobTaskPage = z.infer<typeof JobTaskPage>;
