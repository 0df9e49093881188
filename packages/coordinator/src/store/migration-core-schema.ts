/**
 * @module
 * Migration 1: the schema as first shipped — accounts and tokens, hosts, apps, versions
 * and variants, jobs, tasks, replicas and events. Later changes are numbered migrations
 * of their own (migrations.ts); this one is never edited.
 */

import type { Migration } from './migration.js';

export const CORE_SCHEMA: Migration = {
  version: 1,
  name: 'core',
  statements: [
    `CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at BIGINT NOT NULL
      )`,
    `CREATE TABLE tokens (
        hash TEXT PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        role TEXT NOT NULL,
        label TEXT,
        created_at BIGINT NOT NULL
      )`,
    `CREATE TABLE hosts (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        name TEXT NOT NULL,
        platform TEXT NOT NULL,
        cores INTEGER NOT NULL,
        memory_bytes BIGINT NOT NULL,
        slots INTEGER NOT NULL,
        agent_version TEXT,
        created_at BIGINT NOT NULL,
        last_seen BIGINT NOT NULL
      )`,
    `CREATE TABLE apps (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        name TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        UNIQUE (account_id, name)
      )`,
    `CREATE TABLE app_versions (
        id INTEGER PRIMARY KEY,
        app_id INTEGER NOT NULL REFERENCES apps(id),
        version TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        UNIQUE (app_id, version)
      )`,
    `CREATE TABLE variants (
        id INTEGER PRIMARY KEY,
        version_id INTEGER NOT NULL REFERENCES app_versions(id),
        platform TEXT NOT NULL,
        module_hash TEXT NOT NULL,
        module_size BIGINT NOT NULL,
        UNIQUE (version_id, platform)
      )`,
    `CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        name TEXT NOT NULL,
        variant_id INTEGER NOT NULL REFERENCES variants(id),
        module_hash TEXT NOT NULL,
        module_size BIGINT NOT NULL,
        policy TEXT NOT NULL,
        priority INTEGER NOT NULL,
        state TEXT NOT NULL,
        tasks_total INTEGER NOT NULL,
        tasks_valid INTEGER NOT NULL DEFAULT 0,
        tasks_failed INTEGER NOT NULL DEFAULT 0,
        tasks_no_consensus INTEGER NOT NULL DEFAULT 0,
        tasks_cancelled INTEGER NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL,
        finished_at BIGINT
      )`,
    'CREATE INDEX jobs_account ON jobs (account_id, id)',
    `CREATE TABLE tasks (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES jobs(id),
        idx INTEGER NOT NULL,
        spec TEXT NOT NULL,
        seed INTEGER NOT NULL,
        state TEXT NOT NULL,
        canonical_replica_id INTEGER,
        settled_seq INTEGER,
        UNIQUE (job_id, idx)
      )`,
    `CREATE TABLE replicas (
        id INTEGER PRIMARY KEY,
        task_id INTEGER NOT NULL REFERENCES tasks(id),
        job_id INTEGER NOT NULL REFERENCES jobs(id),
        priority INTEGER NOT NULL,
        state TEXT NOT NULL,
        validation TEXT,
        host_id INTEGER REFERENCES hosts(id),
        created_at BIGINT NOT NULL,
        sent_at BIGINT,
        deadline_at BIGINT,
        reported_at BIGINT,
        digest TEXT,
        exit_code INTEGER,
        outputs TEXT,
        error TEXT,
        duration_ms REAL
      )`,
    // The scheduler's queue: ready replicas by priority, then age.
    `CREATE INDEX replicas_ready ON replicas (priority DESC, id) WHERE state = 'unsent'`,
    `CREATE INDEX replicas_deadline ON replicas (deadline_at) WHERE state = 'in_progress'`,
    'CREATE INDEX replicas_task ON replicas (task_id, host_id)',
    'CREATE INDEX replicas_host ON replicas (host_id, state)',
    // Append-only audit trail (rows of kind task_settled were the result cursor until migration 4).
    `CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at BIGINT NOT NULL,
        kind TEXT NOT NULL,
        job_id INTEGER,
        task_id INTEGER,
        replica_id INTEGER,
        host_id INTEGER,
        data TEXT
      )`,
    'CREATE INDEX events_job ON events (job_id, kind, id)',
  ],
};
