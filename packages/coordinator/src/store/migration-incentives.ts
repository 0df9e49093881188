/**
 * @module
 * The migrations of paid work and volunteer credit (docs/incentives.md): 27, the ledger,
 * hosts' asks and stake; 28, credit grants, totals and teams. Listed in migrations.ts
 * after the others, in order.
 */

import type { Migration } from './migration.js';

export const INCENTIVE_MIGRATIONS: readonly Migration[] = [
  {
    version: 27,
    name: 'ledger, asks and stake',
    statements: [
      // What a host asks per unit (protocol pricing.ts), in micro-credits; 0: a volunteer.
      // The scheduler reads them to match a job's ceiling (docs/incentives.md).
      'ALTER TABLE hosts ADD COLUMN ask_cpu_second BIGINT NOT NULL DEFAULT 0',
      'ALTER TABLE hosts ADD COLUMN ask_mem_gib_second BIGINT NOT NULL DEFAULT 0',
      'ALTER TABLE hosts ADD COLUMN ask_gpu_second BIGINT NOT NULL DEFAULT 0',
      // The double-entry journal: a transfer is a set of postings summing to zero, never
      // changed once written. idem_key is unique per account and request kind, so a money
      // request sent twice finds the first one's answer (response) instead of moving money
      // again; request keeps what was asked, so a key reused for another request is refused.
      `CREATE TABLE ledger_transfers (
        id INTEGER PRIMARY KEY,
        at BIGINT NOT NULL,
        kind TEXT NOT NULL,
        idem_key TEXT UNIQUE,
        account_id BIGINT,
        job_id BIGINT,
        replica_id BIGINT,
        host_id BIGINT,
        request TEXT,
        response TEXT
      )`,
      // One row per posting: account kind (balance, escrow, earnings, fees, stake,
      // external) and owner (an account id; a job id for escrow; 0 for fees and external).
      `CREATE TABLE ledger_postings (
        id INTEGER PRIMARY KEY,
        transfer_id BIGINT NOT NULL,
        kind TEXT NOT NULL,
        owner BIGINT NOT NULL,
        amount BIGINT NOT NULL
      )`,
      'CREATE INDEX ledger_postings_account ON ledger_postings (kind, owner, id)',
      'CREATE INDEX ledger_postings_transfer ON ledger_postings (transfer_id)',
      'CREATE INDEX ledger_transfers_replica ON ledger_transfers (replica_id) WHERE replica_id IS NOT NULL',
      'CREATE INDEX ledger_transfers_job ON ledger_transfers (job_id) WHERE job_id IS NOT NULL',
      // Every account's balance, kept in the transaction that posts to it, so a submit reads
      // one row rather than summing a history; the ledger check compares the two.
      `CREATE TABLE ledger_balances (
        kind TEXT NOT NULL,
        owner BIGINT NOT NULL,
        balance BIGINT NOT NULL,
        PRIMARY KEY (kind, owner)
      )`,
      // The payment transfer of a replica of a paid job while it stands; NULL: unpaid (or
      // reversed after a re-check found it invalid); 0: judged valid after its job ended,
      // when the escrow had gone back, and never paid (sqlite-job-payments.ts).
      'ALTER TABLE replicas ADD COLUMN paid_transfer BIGINT',
    ],
  },
  {
    version: 28,
    name: 'volunteer credit and teams',
    statements: [
      // An account belongs to at most one team; a team's credit is what its members were
      // granted while in it (docs/incentives.md, "Volunteer credit").
      `CREATE TABLE teams (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_by INTEGER NOT NULL REFERENCES accounts(id),
        created_at BIGINT NOT NULL
      )`,
      `CREATE TABLE team_members (
        account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
        team_id INTEGER NOT NULL REFERENCES teams(id),
        joined_at BIGINT NOT NULL
      )`,
      'CREATE INDEX team_members_team ON team_members (team_id)',
      // One row per validated replica credited, written in the settlement's transaction:
      // its own claim and the task's grant (the lowest claim of the quorum), so both can
      // be audited. No foreign keys: grants outlive the replicas the janitor purges. No
      // index but the key: the settlement finds a task's grants through its replicas.
      // revoked_at: a re-check found the replica invalid after all; its credit was taken
      // back from the totals.
      `CREATE TABLE credit_grants (
        replica_id INTEGER PRIMARY KEY,
        task_id BIGINT NOT NULL,
        job_id BIGINT NOT NULL,
        host_id BIGINT NOT NULL,
        account_id BIGINT NOT NULL,
        team_id BIGINT,
        claim BIGINT NOT NULL,
        credit BIGINT NOT NULL,
        granted_at BIGINT NOT NULL,
        revoked_at BIGINT
      )`,
      // Totals per host, account and team: micro-credits, and the recent average as a
      // time-independent key (policy/recent-average.ts), so both orders are index scans.
      `CREATE TABLE credit_totals (
        kind TEXT NOT NULL,
        entity_id BIGINT NOT NULL,
        total BIGINT NOT NULL,
        recent_key DOUBLE PRECISION,
        PRIMARY KEY (kind, entity_id)
      )`,
      'CREATE INDEX credit_totals_total ON credit_totals (kind, total)',
      'CREATE INDEX credit_totals_recent ON credit_totals (kind, recent_key)',
    ],
  },
];
