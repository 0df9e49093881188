/**
 * @module
 * Numbered schema migrations, portable SQL shared by the SQLite and PostgreSQL stores
 * (integer ids, text and integer columns, partial indexes). A migration once shipped is
 * never edited: add the next number instead.
 */

import type { Migration } from './migration.js';
import { CORE_SCHEMA } from './migration-core-schema.js';
import { HOT_REFERENCES_MIGRATION } from './migration-hot-references.js';
import { INCENTIVE_MIGRATIONS } from './migration-incentives.js';
import { TIMED_OUT_INDEX_MIGRATION } from './migration-timed-out-index.js';
import { TRUST_PARTNERS_MIGRATION } from './migration-trust-partners.js';

export type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [
  CORE_SCHEMA,
  {
    version: 2,
    name: 'leaner replica indexes',
    statements: [
      // Nothing reads replicas by host and state, yet every assignment and report
      // rewrote this index: about 2 µs per task on the hot path.
      'DROP INDEX replicas_host',
      // A task has a handful of replicas: finding them by task alone is as quick, and an
      // assignment (which sets host_id) no longer moves the entry (~0.5 µs per task).
      'DROP INDEX replicas_task',
      'CREATE INDEX replicas_task ON replicas (task_id)',
    ],
  },
  {
    version: 3,
    name: 'jobs sent in parts',
    statements: [
      // Set while a requester may still send missing tasks; cleared once all are in.
      'ALTER TABLE jobs ADD COLUMN parts_until BIGINT',
      'CREATE INDEX jobs_parts ON jobs (parts_until) WHERE parts_until IS NOT NULL',
    ],
  },
  {
    version: 4,
    name: 'result cursor on tasks',
    statements: [
      // A settled task's place in its job's result stream is its own settled_seq, read
      // through this index: an event row per settled task cost an insert into two
      // B-trees, ~3 µs per task. Earlier task_settled events stay as history; their ids
      // are the settled_seq values already given out, so cursors held by clients go on.
      'CREATE INDEX tasks_settled ON tasks (job_id, settled_seq) WHERE settled_seq IS NOT NULL',
      // Named counters, each written once per transaction that moves it.
      'CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)',
      `INSERT INTO counters (name, value)
         SELECT 'result_cursor', COALESCE(MAX(settled_seq), 0) FROM tasks`,
    ],
  },
  {
    version: 5,
    name: 'sole replicas',
    statements: [
      // 1 on the replica a task of a job without redundancy starts with: while it is
      // unsent no other replica of its task can exist, so assigning it needs no look for
      // siblings on the same host (~1.4 µs of an assignment's ~12). NULL elsewhere.
      'ALTER TABLE replicas ADD COLUMN sole INTEGER',
    ],
  },
  {
    version: 6,
    name: 'argv0 of a job',
    statements: [
      // NULL for jobs created before a job could name argv[0]: they ran as 'main.wasm'.
      'ALTER TABLE jobs ADD COLUMN argv0 TEXT',
    ],
  },
  {
    version: 7,
    name: 'quarantine and host address',
    statements: [
      // Set when a host is caught cheating too often: it gets no work until an admin
      // releases it (both NULL again).
      'ALTER TABLE hosts ADD COLUMN quarantined_at BIGINT',
      'ALTER TABLE hosts ADD COLUMN quarantine_reason TEXT',
      // The host's IP address as the coordinator saw it at registration, for the rule
      // that keeps one task's replicas off hosts of one network.
      'ALTER TABLE hosts ADD COLUMN address TEXT',
    ],
  },
  {
    version: 8,
    name: 'host reputation, daily quota and network',
    statements: [
      // What became of the replicas each host was sent, added up in each transaction
      // that judged them (an account's counts are the sum over its hosts): the Beta
      // score of policy/reputation.ts reads them, people see them in GET /v1/hosts.
      // `alone` counts results accepted without comparison (redundancy 1).
      'ALTER TABLE hosts ADD COLUMN n_valid INTEGER NOT NULL DEFAULT 0',
      'ALTER TABLE hosts ADD COLUMN n_invalid INTEGER NOT NULL DEFAULT 0',
      'ALTER TABLE hosts ADD COLUMN n_errored INTEGER NOT NULL DEFAULT 0',
      'ALTER TABLE hosts ADD COLUMN n_timed_out INTEGER NOT NULL DEFAULT 0',
      'ALTER TABLE hosts ADD COLUMN n_abandoned INTEGER NOT NULL DEFAULT 0',
      'ALTER TABLE hosts ADD COLUMN n_alone INTEGER NOT NULL DEFAULT 0',
      // The daily replica quota (policy/daily-quota.ts) and what was sent against it on
      // day quota_day (a UTC day number). NULL quota: a host from before this
      // migration, which gets the initial quota.
      'ALTER TABLE hosts ADD COLUMN quota INTEGER',
      'ALTER TABLE hosts ADD COLUMN quota_day INTEGER NOT NULL DEFAULT 0',
      'ALTER TABLE hosts ADD COLUMN quota_used INTEGER NOT NULL DEFAULT 0',
      // The network of hosts.address (an IPv4 /24 or IPv6 /48, policy/network-prefix.ts),
      // compared by the assignment that keeps a task's replicas off one network.
      'ALTER TABLE hosts ADD COLUMN net_prefix TEXT',
      // An account's hosts (its list, its cap). Not on last_seen: every work request and
      // report batch moves that, and would move the index entry with it.
      'CREATE INDEX hosts_account ON hosts (account_id)',
    ],
  },
  {
    version: 9,
    name: 'validation records, re-checks and corrections',
    statements: [
      // What the validator learnt of each host running each app (the app is the module
      // hash): policy/validation-record.ts, one row per host and app. The adaptive rule
      // and quarantine read it; it is written in the transaction that judged the replicas.
      `CREATE TABLE validation_records (
        host_id INTEGER NOT NULL REFERENCES hosts(id),
        app TEXT NOT NULL,
        valid INTEGER NOT NULL DEFAULT 0,
        invalid INTEGER NOT NULL DEFAULT 0,
        errored INTEGER NOT NULL DEFAULT 0,
        timed_out INTEGER NOT NULL DEFAULT 0,
        abandoned INTEGER NOT NULL DEFAULT 0,
        alone INTEGER NOT NULL DEFAULT 0,
        streak INTEGER NOT NULL DEFAULT 0,
        consecutive_valid INTEGER NOT NULL DEFAULT 0,
        strikes INTEGER NOT NULL DEFAULT 0,
        since BIGINT NOT NULL,
        PRIMARY KEY (host_id, app)
      )`,
      // How a replica's accepted result was confirmed (policy/recheck.ts: alone,
      // untrusted, trusted) and when, for jobs that validate by comparison; NULL elsewhere.
      'ALTER TABLE replicas ADD COLUMN confirmation TEXT',
      'ALTER TABLE replicas ADD COLUMN accepted_at BIGINT',
      // 1 on the replica of a caught host in a task re-checked for its sake: it no longer
      // counts towards the task's quorum.
      'ALTER TABLE replicas ADD COLUMN excluded INTEGER',
      // 1 on a spot check: a replica of a task already settled by a quorum with a trusted
      // member, sent to a trusted host to compare its output with the known one.
      'ALTER TABLE replicas ADD COLUMN spot INTEGER',
      // The results a catch must verify again: written only for compared jobs, so the
      // unreplicated fast path never touches this index.
      `CREATE INDEX replicas_recheck ON replicas (host_id, accepted_at)
         WHERE confirmation IN ('alone', 'untrusted')`,
      // While a settled task is verified again: the digest its result had, to tell at the
      // next settlement whether the requester must hear of a correction.
      'ALTER TABLE tasks ADD COLUMN prior_digest TEXT',
      // 1 when the task's result replaced one the result stream had given before.
      'ALTER TABLE tasks ADD COLUMN corrected INTEGER',
    ],
  },
  {
    version: 11,
    name: 'module signature of a job',
    statements: [
      // The publisher's signature of the job's module ({ publicKey, signature, publisher? }
      // as JSON), carried to agents with every work answer; NULL for unsigned jobs.
      'ALTER TABLE jobs ADD COLUMN signature TEXT',
    ],
  },
  {
    version: 10,
    name: 'comparators',
    statements: [
      // For jobs whose comparator is not exact: the digest of the replica this one agrees
      // with (its group's first), by which decideTask groups. NULL for exact jobs.
      'ALTER TABLE replicas ADD COLUMN agree_key TEXT',
      // Reported replicas waiting for the comparator service (a validator module runs
      // outside any transaction): the store is the truth, so a restart finds them here.
      `CREATE TABLE comparisons (
        replica_id INTEGER PRIMARY KEY,
        task_id INTEGER NOT NULL,
        job_id INTEGER NOT NULL,
        created_at BIGINT NOT NULL
      )`,
      'CREATE INDEX comparisons_task ON comparisons (task_id, replica_id)',
    ],
  },
  {
    version: 12,
    name: 'liveness under churn',
    statements: [
      // Replicas in progress on each host, moved in the writes that already touch the
      // host's row (the assignment's quota charge, the tallies of a transaction): the cap
      // on a host's in-flight work reads it without counting replicas (policy/in-flight-cap.ts).
      'ALTER TABLE hosts ADD COLUMN in_flight INTEGER NOT NULL DEFAULT 0',
      `UPDATE hosts SET in_flight = (SELECT COUNT(*) FROM replicas r
         WHERE r.host_id = hosts.id AND r.state = 'in_progress')`,
      // When the host's replicas were last taken back for its silence: a host silent
      // since then is not looked at again until it is seen (policy/liveness.ts).
      'ALTER TABLE hosts ADD COLUMN lost_at BIGINT',
      // Reported run times of a job's replicas, their sum and count: the per-job runtime
      // estimate the in-flight cap divides the work buffer by.
      'ALTER TABLE jobs ADD COLUMN run_ms REAL NOT NULL DEFAULT 0',
      'ALTER TABLE jobs ADD COLUMN run_n INTEGER NOT NULL DEFAULT 0',
      // Why a task failed when no replica says it (JSON { code, message }), e.g. no
      // eligible host was left to run it (policy/stranded-task.ts).
      'ALTER TABLE tasks ADD COLUMN fail_reason TEXT',
      // Active tasks with a failed or refused replica: where the stranded-task sweep
      // starts. Written only when a replica errs, times out or is refused, and emptied by
      // the sweep as tasks settle: a partial index of such replicas cost every replica
      // sent and reported ~5 µs, a third of the hot path.
      `CREATE TABLE failing_tasks (
        task_id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL
      )`,
      `INSERT INTO failing_tasks (task_id, job_id)
         SELECT DISTINCT r.task_id, r.job_id FROM replicas r JOIN tasks t ON t.id = r.task_id
         WHERE t.state = 'active' AND r.state IN ('errored', 'timed_out', 'refused')`,
    ],
  },
  {
    version: 13,
    name: 'checkpoints and progress',
    statements: [
      // A running replica's newest checkpoint (docs/checkpoints.md): the blob of its saved
      // state, and the fraction of its work done; NULL until its host sends one.
      'ALTER TABLE replicas ADD COLUMN checkpoint_hash TEXT',
      'ALTER TABLE replicas ADD COLUMN checkpoint_size BIGINT',
      'ALTER TABLE replicas ADD COLUMN progress REAL',
      // On a reissued replica: the replica whose checkpoint chain it continues (one that
      // timed out or was handed back). On that replica: the one continuing it, so that
      // its chain is continued once, and a late answer of it no longer counts.
      'ALTER TABLE replicas ADD COLUMN resumes INTEGER',
      'ALTER TABLE replicas ADD COLUMN continued_by INTEGER',
      // The job view adds up the progress of its running replicas. Partial: replicas of
      // programs that never report progress (nearly all) never enter it.
      'CREATE INDEX replicas_progress ON replicas (job_id, state) WHERE progress IS NOT NULL',
    ],
  },
  {
    version: 15,
    name: 'task graphs',
    statements: [
      // 1 on a job with a task that depends on others: only then does a settlement look
      // for children, so jobs without dependencies pay nothing. NULL elsewhere.
      'ALTER TABLE jobs ADD COLUMN graph INTEGER',
      // Parents of a task not yet valid; its first replicas are created when it reaches 0
      // (in the transaction that validated the last parent). NULL for a task without parents.
      'ALTER TABLE tasks ADD COLUMN waiting INTEGER',
      // Why a task failed without running ({ code: 'parent_failed', message } as JSON).
      'ALTER TABLE tasks ADD COLUMN parent_failure TEXT',
      // One row per dependency, by task id: children of a settled parent by the primary
      // key, parents of a released child by the second index.
      `CREATE TABLE task_edges (
        parent_id INTEGER NOT NULL,
        child_id INTEGER NOT NULL,
        PRIMARY KEY (parent_id, child_id)
      )`,
      'CREATE INDEX task_edges_child ON task_edges (child_id)',
      // Bytes of parents' outputs that travelled inline (base64) and became a child's input
      // files: written with the child's release, served as blobs (graph-input-blobs.ts).
      'CREATE TABLE graph_inputs (hash TEXT PRIMARY KEY, data TEXT NOT NULL)',
    ],
  },
  {
    version: 17,
    name: 'retention',
    statements: [
      // The janitor (services/janitor.ts) purges a finished job's rows after the retention
      // period. purge_started_at: its results were archived (if asked) and its rows are
      // being deleted, batch by batch; from then on the job answers JOB_PURGED, and a
      // restart resumes the deletion. purged_at: every row of it is gone; the job row
      // stays as a tombstone so its id is still known.
      'ALTER TABLE jobs ADD COLUMN purge_started_at BIGINT',
      'ALTER TABLE jobs ADD COLUMN purged_at BIGINT',
      // Finished jobs not yet purged, oldest first: what the janitor looks at. Written once
      // when a job finishes and once when it is purged, never on the task path.
      `CREATE INDEX jobs_retention ON jobs (finished_at)
         WHERE finished_at IS NOT NULL AND purged_at IS NULL`,
      // Which jobs use which blobs (module, validator, inputs, outputs held as blobs): a
      // blob no live job uses may be deleted once its grace period has passed. Written per
      // distinct blob per chunk of tasks, never per task without inputs; deleted with the
      // job's purge.
      `CREATE TABLE blob_refs (
        hash TEXT NOT NULL,
        job_id INTEGER NOT NULL,
        PRIMARY KEY (hash, job_id)
      ) WITHOUT ROWID`,
      'CREATE INDEX blob_refs_job ON blob_refs (job_id)',
      // The blobs of jobs stored before this migration (SQLite's JSON functions; a
      // PostgreSQL adapter writes these four with jsonb operators).
      `INSERT OR IGNORE INTO blob_refs (hash, job_id) SELECT module_hash, id FROM jobs`,
      `INSERT OR IGNORE INTO blob_refs (hash, job_id)
         SELECT json_extract(policy, '$.compare.module.hash'), id FROM jobs
         WHERE json_extract(policy, '$.compare.module.hash') IS NOT NULL`,
      `INSERT OR IGNORE INTO blob_refs (hash, job_id)
         SELECT json_extract(t.spec, '$.stdin.hash'), t.job_id FROM tasks t
         WHERE json_extract(t.spec, '$.stdin.hash') IS NOT NULL
         UNION SELECT json_extract(f.value, '$.hash'), t.job_id
         FROM tasks t, json_each(t.spec, '$.files') f`,
      `INSERT OR IGNORE INTO blob_refs (hash, job_id)
         SELECT json_extract(o.value, '$.hash'), r.job_id FROM replicas r,
           json_tree(r.outputs) o
         WHERE r.outputs IS NOT NULL AND o.type = 'object'
           AND json_type(o.value, '$.hash') = 'text'
           AND json_extract(o.value, '$.data') IS NULL`,
    ],
  },
  {
    version: 18,
    name: 'host capabilities',
    statements: [
      // What a host declares beyond platform, cores and memory (protocol host.ts): free
      // disk and benchmark speed (refreshed by heartbeats), accelerators (JSON array),
      // region. NULL: the host never said.
      'ALTER TABLE hosts ADD COLUMN free_disk_bytes BIGINT',
      'ALTER TABLE hosts ADD COLUMN speed REAL',
      'ALTER TABLE hosts ADD COLUMN accelerators TEXT',
      'ALTER TABLE hosts ADD COLUMN region TEXT',
    ],
  },
  {
    version: 19,
    name: 'job requirements and measured task size',
    statements: [
      // What a host must have to run the job's tasks (protocol JobRequirements, as JSON);
      // NULL: any host. Checked again at every assignment.
      'ALTER TABLE jobs ADD COLUMN requirements TEXT',
      // Reported run times times the speed of the host that ran them (benchmark
      // operations, summed) and how many such reports: a task's measured size, which
      // placement divides by a host's speed (policy/deadline-fit.ts). Reports from hosts
      // that declared no speed count in run_ms/run_n only.
      'ALTER TABLE jobs ADD COLUMN run_ops REAL NOT NULL DEFAULT 0',
      'ALTER TABLE jobs ADD COLUMN run_ops_n INTEGER NOT NULL DEFAULT 0',
    ],
  },
  {
    version: 20,
    name: 'app variants',
    statements: [
      // A job's native builds beside its wasm module (docs/variants.md), one row per
      // variant, its wasm module included under the key 'wasm32-wasi': written only for jobs
      // submitted with variants. Not the catalog's variants table: that one is unique per
      // app version (the wasm module's hash) and platform, so a second native build of one
      // wasm program would be lost. run_ms and run_n add up the variant's reported run
      // times, the measured mean the choice between variants reads.
      `CREATE TABLE job_variants (
        job_id INTEGER NOT NULL REFERENCES jobs(id),
        variant TEXT NOT NULL,
        platform TEXT NOT NULL,
        gpu TEXT,
        module_hash TEXT NOT NULL,
        module_size BIGINT NOT NULL,
        requirements TEXT,
        signature TEXT,
        run_ms REAL NOT NULL DEFAULT 0,
        run_n INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (job_id, variant)
      )`,
      // 1 on a job with native variants: only then does an assignment choose one, so jobs
      // without them pay nothing. NULL elsewhere.
      'ALTER TABLE jobs ADD COLUMN variants INTEGER',
      // The variant a replica of such a job was sent to run (its key); NULL for replicas of
      // jobs without variants, which ran the job's wasm module.
      'ALTER TABLE replicas ADD COLUMN variant TEXT',
      // Runtimes a host offers beyond wasm32-wasi, comma-separated ('native'); NULL: none.
      'ALTER TABLE hosts ADD COLUMN runtimes TEXT',
    ],
  },
  {
    version: 21,
    name: 'account-shares',
    statements: [
      // An account's weight in fair share between accounts (policy/fair-share.ts): accounts
      // with work waiting are sent work in proportion. Read once at start and when an
      // admin changes it, never on the task path.
      'ALTER TABLE accounts ADD COLUMN share DOUBLE PRECISION NOT NULL DEFAULT 1',
    ],
  },
  {
    version: 24,
    name: 'what the coordinator measures of hosts',
    statements: [
      // Replicas reported before their deadline: with n_timed_out, the on-time rate.
      'ALTER TABLE hosts ADD COLUMN n_on_time INTEGER NOT NULL DEFAULT 0',
      // Sent-to-reported time, an exponentially weighted mean (policy/timeliness.ts);
      // folded in by the write that adds a transaction's tallies to the host.
      'ALTER TABLE hosts ADD COLUMN turnaround_ms REAL',
      // Connected quarter-hours of the last day (policy/availability.ts): the newest
      // slot and 96 bits as 24 hex digits; written at most once per host per quarter-hour.
      'ALTER TABLE hosts ADD COLUMN avail_slot BIGINT',
      'ALTER TABLE hosts ADD COLUMN avail_bits TEXT',
      // Download bandwidth the host's agent last measured (work requests' blobs.bandwidth).
      'ALTER TABLE hosts ADD COLUMN bandwidth REAL',
    ],
  },
  {
    version: 25,
    name: 'unconfirmed results listed per transaction',
    statements: [
      // Every result a trusted host had accepted alone entered replicas_recheck, costing
      // the adaptive fast path about 3 µs per task (the index insert and the pages it
      // dirtied at commit). A transaction now lists the results it accepted without a
      // trusted confirmation in one row per host and job (sqlite-unconfirmed.ts): a
      // catch reads those lists and checks each replica's row again.
      'DROP INDEX IF EXISTS replicas_recheck',
      `CREATE TABLE unconfirmed_results (
        host_id INTEGER NOT NULL,
        job_id INTEGER NOT NULL,
        accepted_at BIGINT NOT NULL,
        replica_ids TEXT NOT NULL
      )`,
      'CREATE INDEX unconfirmed_results_host ON unconfirmed_results (host_id, accepted_at)',
      'CREATE INDEX unconfirmed_results_job ON unconfirmed_results (job_id)',
      // Results accepted before this migration, from the rows the dropped index covered.
      `INSERT INTO unconfirmed_results (host_id, job_id, accepted_at, replica_ids)
         SELECT host_id, job_id, MIN(accepted_at), group_concat(id)
         FROM replicas WHERE confirmation IN ('alone', 'untrusted') AND host_id IS NOT NULL
         GROUP BY host_id, job_id`,
    ],
  },
  {
    version: 26,
    name: 'leader leases',
    statements: [
      // Named leases several coordinators on one store contend for (docs/scale-out.md):
      // the 'leader' row says which coordinator runs the duties that must run once
      // (deadline sweeps, silent hosts, stranded tasks, the janitor). Taken and renewed by
      // a conditional UPDATE (policy/leadership.ts); term counts the hand-overs, so a
      // log line or a fenced write can tell one tenure from the next.
      `CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        taken_at BIGINT NOT NULL,
        term INTEGER NOT NULL
      )`,
    ],
  },
  ...INCENTIVE_MIGRATIONS,
  TRUST_PARTNERS_MIGRATION,
  HOT_REFERENCES_MIGRATION,
  TIMED_OUT_INDEX_MIGRATION,
];

/** The numbers migrations have, ascending (some numbers were never used). */
export function migrationVersions(): number[] {
  return MIGRATIONS.map((m) => m.version).sort((a, b) => a - b);
}
