/**
 * @module
 * Migration 31: timed-out replicas found by job. When a job ends through another
 * coordinator, each coordinator tells the hosts connected to it to stop that job's
 * replicas they still run, those in progress and those a sweep timed out
 * (sqlite-held-work.ts `stopEndedWork`). Found through the job's tasks, that look read
 * every replica of the job: 29 ms for an ended job of 100 000 tasks, every coordinator's
 * event loop held that long at the end of each such job. In-progress replicas are found
 * through their deadline index (as many as hosts hold, whatever the jobs' sizes), and
 * timed-out ones through this one. A replica enters or leaves it only by timing out or
 * by its late report, so the hot path (assignment, report) never writes it.
 */

import type { Migration } from './migration.js';

export const TIMED_OUT_INDEX_MIGRATION: Migration = {
  version: 31,
  name: 'timed-out replicas by job',
  statements: [`CREATE INDEX replicas_timed_out ON replicas (job_id) WHERE state = 'timed_out'`],
};
