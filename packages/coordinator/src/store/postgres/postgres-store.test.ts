import { describe, expect, it } from 'vitest';
import { describeCheckpoints } from '../checkpoints.case.js';
import { describeCredit } from '../credit.case.js';
import { describeDashboard } from '../dashboard.case.js';
import { describeGraph } from '../graph.case.js';
import { describeHandBack } from '../handback.case.js';
import { describeHostMeasures } from '../host-measures.case.js';
import { describeHostRules } from '../host-rules.case.js';
import { describeLeadership } from '../leadership.case.js';
import { describeLedger } from '../ledger.case.js';
import { describeLiveness } from '../liveness.case.js';
import { describePlacement } from '../placement.case.js';
import { describeRetention } from '../retention.case.js';
import { describeStore } from '../store.case.js';
import { describeValidation } from '../validation.case.js';
import { describeVariants } from '../variants.case.js';
import { PgDatabase } from './pg-database.js';
import { openPgStore, postgresPresent } from './pg-test-store.case.js';
import { parsePostgresUrl } from './postgres-store.js';

// The store suite every adapter passes, on PostgreSQL, each store in a fresh schema.
describe.skipIf(!postgresPresent)('postgres', () => {
  const open = () => openPgStore();
  describeStore('postgres', open);
  describeHandBack('postgres', open);
  describeLedger('postgres', (rules) => openPgStore(rules));
  describeValidation('postgres', (random) => openPgStore({ random }));
  describeLiveness('postgres', open);
  describeCheckpoints('postgres', open);
  describeDashboard('postgres', open);
  describeGraph('postgres', async (again) => {
    const store = await openPgStore({}, again);
    return { store, path: store.url };
  });
  describeHostRules('postgres', (rules) => openPgStore(rules));
  describeHostMeasures('postgres', (rules) => openPgStore(rules));
  describePlacement('postgres', open);
  describeRetention('postgres', async (again) => {
    const store = await openPgStore({}, again);
    return { store, path: store.url };
  });
  describeVariants('postgres', open);
  describeCredit('postgres', (rules) => openPgStore(rules));
  // Two connections on one schema, as two coordinators hold the database.
  describeLeadership('postgres', async () => {
    const a = await openPgStore();
    const b = await openPgStore({}, a.url);
    return [a, b] as const;
  });
});

describe.skipIf(!postgresPresent)('postgres schema', () => {
  it('checks references of the rows written once per job or host, not of each task and replica', async () => {
    const store = await openPgStore();
    const { conninfo, schema } = parsePostgresUrl(store.url);
    const db = new PgDatabase(conninfo, new Set());
    try {
      const keys = db.query(
        `SELECT c.relname AS "table", con.conname AS name FROM pg_constraint con
         JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE con.contype = 'f' AND n.nspname = '${schema}'`,
      );
      const tables = new Set(keys.map((k) => k.table));
      expect(tables.has('tasks')).toBe(false);
      expect(tables.has('replicas')).toBe(false);
      // The others keep theirs: a job's account, a host's account.
      expect(keys).toEqual(
        expect.arrayContaining([
          { table: 'jobs', name: 'jobs_account_id_fkey' },
          { table: 'hosts', name: 'hosts_account_id_fkey' },
        ]),
      );
      // Applied once, recorded like any other.
      const versions = db.query(
        `SELECT version FROM ${schema}.schema_migrations WHERE version = 30`,
      );
      expect(versions).toHaveLength(1);
    } finally {
      db.close();
    }
  });
});
