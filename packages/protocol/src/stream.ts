/**
 * @module
 * Push messages. Agents keep a WebSocket open to hear at once that work is waiting (so
 * latency is one round trip, not a poll interval); requesters follow a job's results as
 * server-sent events.
 */

import { z } from 'zod';
import { JobProgress, JobState, TaskResult } from './job.js';

/** Coordinator → agent over `GET /v1/hosts/{id}/stream` (WebSocket). */
export const AgentMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('work') }),
  z.strictObject({ type: z.literal('cancel'), replicaIds: z.array(z.number().int()) }),
]);
export type AgentMessage = z.infer<typeof AgentMessage>;

/** Server-sent events of `GET /v1/jobs/{id}/events`; the SSE event name is `type`. */
export const JobEvent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('result'), result: TaskResult }),
  z.strictObject({ type: z.literal('progress'), state: JobState, progress: JobProgress }),
]);
export type JobEvent = z.infer<typeof JobEvent>;
