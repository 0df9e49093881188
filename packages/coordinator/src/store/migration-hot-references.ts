/**
 * @module
 * Migration 30: on PostgreSQL, the rows every task writes (its task, its replicas) are no
 * longer checked against the rows they reference. PostgreSQL checks each foreign key
 * with a trigger query per row written, and those rows are written four times on a
 * task's way (its task and replica inserted, the replica assigned, then reported): the
 * checks were a fifth of PostgreSQL's CPU per task (scale-out benchmark, one coordinator,
 * 76 → 61 µs; throughput 7.1–7.4 k → 8.1–8.2 k tasks/s in alternating runs).
 *
 * What the checks guarded stays guarded: both databases run one implementation of every
 * write (sqlite-store.ts), under one writer at a time (pg-database.ts), and SQLite keeps
 * its foreign keys (checked in-process, for next to nothing), so every test of the store
 * suite, which runs on both, would catch a write that breaks a reference. The other
 * tables, written once per job, account or host, keep theirs on PostgreSQL too.
 * Listed in migrations.ts after the others.
 */

import type { Migration } from './migration.js';

export const HOT_REFERENCES_MIGRATION: Migration = {
  version: 30,
  name: 'task rows unchecked by reference on PostgreSQL',
  statements: [],
  // PostgreSQL names a column's foreign key <table>_<column>_fkey.
  postgres: [
    'ALTER TABLE tasks DROP CONSTRAINT IF EXISTS tasks_job_id_fkey',
    'ALTER TABLE replicas DROP CONSTRAINT IF EXISTS replicas_task_id_fkey',
    'ALTER TABLE replicas DROP CONSTRAINT IF EXISTS replicas_job_id_fkey',
    'ALTER TABLE replicas DROP CONSTRAINT IF EXISTS replicas_host_id_fkey',
  ],
};
