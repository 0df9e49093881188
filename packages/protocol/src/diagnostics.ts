/**
 * @module
 * Why a job is not running (`GET /v1/jobs/{id}/diagnostics`, `anygrid why JOB`): where its
 * tasks are (queued, running, waiting for parents), and, among the hosts connected now,
 * how many fail each of its requirements, how many could run it but are quarantined, out
 * of today's quota, busy with higher-priority work or too slow for its deadline, each
 * with a sentence saying what would help. Counts, never host names: a requester learns
 * about the pool, not about other people's devices.
 */

import { z } from 'zod';
import { JobState } from './job.js';
import { JobRequirements } from './requirements.js';

/** A requirement of `JobRequirements` by name, or `deadline`: the job's replica deadline against hosts' speeds. */
export const RequirementName = z.enum([
  ...(Object.keys(JobRequirements.shape) as [keyof typeof JobRequirements.shape]),
  'deadline',
  // The job's price ceiling against the hosts' asks (a free job: hosts asking nothing).
  'price',
]);
export type RequirementName = z.infer<typeof RequirementName>;

/** How the connected hosts fare against one requirement. */
export const RequirementCheck = z.strictObject({
  requirement: RequirementName,
  /** What the job asks, in words: `≥ 8 GiB memory`, `platform linux-arm64`. */
  wanted: z.string(),
  /** Connected hosts that fail it. */
  failing: z.number().int(),
  connected: z.number().int(),
  /** E.g. "0 of 12 connected hosts have ≥ 32 GiB memory (largest: 16 GiB)". */
  message: z.string(),
});
export type RequirementCheck = z.infer<typeof RequirementCheck>;

export const JobDiagnostics = z.strictObject({
  jobId: z.number().int(),
  state: JobState,
  tasks: z.strictObject({
    total: z.number().int(),
    /** Valid, failed, without consensus or cancelled. */
    settled: z.number().int(),
    /** With a replica waiting to be sent. */
    queued: z.number().int(),
    /** With a replica on a host now. */
    running: z.number().int(),
    /** Not ready yet: a task they depend on has not ended valid. */
    waitingForParents: z.number().int(),
  }),
  hosts: z.strictObject({
    /** Hosts that pulled work or kept a work stream open lately. */
    connected: z.number().int(),
    /** Connected hosts that meet every requirement, deadline included. */
    eligible: z.number().int(),
    /** Of the eligible: quarantined (an admin may release them). */
    quarantined: z.number().int(),
    /** Of the eligible: sent their whole daily quota already. */
    quotaExhausted: z.number().int(),
    /** Of the eligible: running replicas of jobs of higher priority than this one. */
    busyWithHigherPriority: z.number().int(),
    /**
     * Of the eligible, neither quarantined nor out of quota: how many accounts they belong
     * to. A compared task needs its quorum of hosts of different accounts (and networks).
     */
    accounts: z.number().int(),
  }),
  /** One entry per requirement the job has (and `deadline` when a speed estimate applies). */
  requirements: z.array(RequirementCheck),
  /** The key the job's module is signed with, and what the coordinator can say of it. */
  signature: z.strictObject({ publicKey: z.string(), message: z.string() }).optional(),
  /** The whole diagnosis in sentences, most telling first; empty when nothing holds the job back. */
  messages: z.array(z.string()),
});
export type JobDiagnostics = z.infer<typeof JobDiagnostics>;
