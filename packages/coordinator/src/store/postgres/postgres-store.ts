/**
 * @module
 * The PostgreSQL store: the same SQL store as SQLite's (sqlite/sqlite-store.ts) on a
 * PostgreSQL connection (pg-database.ts), so every coordinator sharing the database runs
 * one implementation of every rule. Opened from a URL, `postgres://user@host:port/db`,
 * optionally `?schema=name` to keep a grid's tables in a schema of their own (tests use
 * a fresh schema each). Migrations are the SQLite ones (migrations.ts), their schema
 * statements given PostgreSQL's types (pg-dialect.ts) and applied under a lock, so that
 * coordinators starting together migrate once.
 */

import { MIGRATIONS } from '../migrations.js';
import type { SqlEngine } from '../sql-database.js';
import { type SqliteStoreOptions, SqlStore } from '../sqlite/sqlite-store.js';
import { StoreLocationError } from '../store-location-error.js';
import { PgDatabase } from './pg-database.js';
import { ddlToPostgres, isDataStatement, tablesWithIds, toPostgres } from './pg-dialect.js';

/**
 * The last migration written before the PostgreSQL store existed. Every PostgreSQL
 * database starts from an empty schema and takes migrations 1 to this one in one go, so
 * their backfills written in SQLite's JSON table functions (of rows only an older SQLite
 * file can hold) have nothing to do there and are skipped; their other data statements
 * (seed rows) run. Later migrations' data statements all run on both.
 */
export const PG_BASELINE = 25;
const SQLITE_JSON = /\bjson_(tree|each|type)\(/;

/** The lock a migrating coordinator holds (session-scoped): others wait, then find it done. */
const MIGRATION_LOCK_KEY = 0x616e796d; // "anym"

/** True for the store URLs this adapter opens. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** A connection string libpq understands, and the schema the URL names (or none). */
export function parsePostgresUrl(url: string): { conninfo: string; schema: string | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreLocationError(`"${url}" is not a URL: write postgres://user@host:5432/database`);
  }
  // libpq would fill a missing host or database from its defaults (a local socket, a
  // database named after the user): a grid's store is named, not guessed.
  if (parsed.hostname === '' || parsed.pathname.replace(/^\//, '') === '') {
    throw new StoreLocationError(
      `"${url}" names no host or no database: write postgres://user@host:5432/database`,
    );
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new StoreLocationError(
      `schema "${schema}" in the store URL must be lower-case letters, digits and _ (it names a PostgreSQL schema)`,
    );
  }
  return { conninfo: parsed.toString(), schema };
}

/** Opens a PostgreSQL database for the SQL store. */
export function postgresEngine(url: string): SqlEngine {
  const { conninfo, schema } = parsePostgresUrl(url);
  const idTables = tablesWithIds(MIGRATIONS.flatMap((m) => m.statements));
  const db = new PgDatabase(conninfo, idTables);
  if (schema !== undefined) {
    db.configureSession(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path TO ${schema}`);
  }
  return {
    kind: 'postgres',
    db,
    migrate: (now) => migratePostgres(db, now),
    // PostgreSQL's autovacuum makes deleted rows' space reusable; giving it back to the
    // file system (VACUUM FULL) would lock the tables, so the janitor does not ask.
    reclaimSpace: () => ({ freed: 0, free: 0, total: 0 }),
  };
}

function migratePostgres(db: PgDatabase, now: number): number[] {
  db.exec(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
    const applied = new Set(
      db.query('SELECT version FROM schema_migrations').map((r) => Number(r.version)),
    );
    const record = db.prepare(
      'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    );
    const done: number[] = [];
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      done.push(m.version);
      db.transaction(() => {
        for (const sql of m.statements) {
          if (!isDataStatement(sql)) db.exec(ddlToPostgres(sql));
          else if (m.version > PG_BASELINE || !SQLITE_JSON.test(sql)) {
            db.exec(toPostgres(sql, db.idTables).text);
          }
        }
        for (const sql of m.postgres ?? []) db.exec(sql);
        record.run(m.version, m.name, now);
      })();
    }
    return done;
  } finally {
    db.exec(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
  }
}

/** The store on PostgreSQL. */
export class PostgresStore extends SqlStore {
  /** The connection, whose commits each verb waits for before it answers. */
  readonly connection: PgDatabase;

  constructor(url: string, options: SqliteStoreOptions = {}) {
    const engine = postgresEngine(url);
    super(engine, options);
    this.connection = engine.db as PgDatabase;
  }
}

// Every verb answers once what it committed is confirmed (pg-database.ts sends COMMIT
// without waiting): a caller never acts on, or tells anyone of, a change PostgreSQL may
// still refuse or lose, and a verb fails with its own commit's failure, not another's. A
// verb's own transactions run before its first await (the two that await call other
// verbs, each waiting for its own).
for (const name of Object.getOwnPropertyNames(SqlStore.prototype)) {
  const verb: unknown = Object.getOwnPropertyDescriptor(SqlStore.prototype, name)?.value;
  if (typeof verb !== 'function' || verb.constructor.name !== 'AsyncFunction') continue;
  Object.defineProperty(PostgresStore.prototype, name, {
    async value(this: PostgresStore, ...args: unknown[]) {
      const { result, sent } = this.connection.collect(() => verb.apply(this, args) as unknown);
      const value = await result;
      for (const commit of sent) await commit.promise;
      return value;
    },
    writable: true,
    configurable: true,
  });
}
