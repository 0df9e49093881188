/**
 * @module
 * Opens the SQLite file the way the coordinator needs it: WAL so readers never block
 * the writer, `synchronous = NORMAL` (a killed process loses nothing committed; only
 * an OS crash may lose the last transactions), foreign keys on, and migrations applied
 * in one transaction each. The file holds token hashes and every job, so only its owner
 * may read it: mode 600, which SQLite gives its -wal and -shm files too (it creates them
 * with the database file's permissions).
 */

import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../migrations.js';
import type { SqlDatabase, SqlEngine, SqlStatement } from '../sql-database.js';

/**
 * The database the store's SQL code runs on: SQLite here, or PostgreSQL through the
 * same interface (sql-database.ts).
 */
export type SqliteDatabase = SqlDatabase;

/** Mode of the database file and its -wal and -shm companions: the owner's alone. */
const FILE_MODE = 0o600;

export function openSqlite(path: string): Database.Database {
  if (isFilePath(path)) ownerOnly(path);
  const db = new Database(path);
  // Before any table exists (a new file), so that pages freed by the janitor's purges can
  // be given back to the file system; an older file is converted once by migrateSqlite.
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** The embedded database under the store: one SQLite file, WAL, migrated in place. */
export function sqliteEngine(path: string): SqlEngine {
  const db = openSqlite(path);
  return {
    kind: 'sqlite',
    db: Object.assign(db, { dialect: 'sqlite' as const }) as unknown as SqlDatabase,
    migrate: (now) => migrateSqlite(db, now),
    reclaimSpace(maxPages) {
      const free = () => db.pragma('freelist_count', { simple: true }) as number;
      const before = free();
      const pages = Math.floor(maxPages);
      // incremental_vacuum(0) would free every page at once: 0 only reads the counts.
      if (before > 0 && pages > 0) db.pragma(`incremental_vacuum(${pages})`);
      const after = free();
      const total = db.pragma('page_count', { simple: true }) as number;
      return { freed: before - after, free: after, total };
    },
  };
}

/** `:memory:` and empty (a temporary database) name no file to protect. */
function isFilePath(path: string): boolean {
  return path !== '' && path !== ':memory:' && !path.startsWith('file:');
}

/**
 * Creates the database file mode 600 if it is not there, and makes it and companions a
 * crash left behind mode 600 if they are (a file made by an older version is 644).
 */
function ownerOnly(path: string): void {
  closeSync(openSync(path, 'a', FILE_MODE));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, FILE_MODE);
  }
}

export function migrateSqlite(db: Database.Database, now: number): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
  const applied = db.prepare('SELECT version FROM schema_migrations WHERE version = ?').pluck();
  const done: number[] = [];
  for (const m of MIGRATIONS) {
    if (applied.get(m.version) !== undefined) continue;
    // IMMEDIATE, and asked again inside: coordinators started together on one file each
    // try, and only the first applies it.
    db.transaction(() => {
      if (applied.get(m.version) !== undefined) return;
      for (const sql of m.statements) db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        now,
      );
      done.push(m.version);
    }).immediate();
  }
  incrementalVacuum(db);
  return done;
}

/**
 * Converts a database made before retention (auto_vacuum NONE) to incremental vacuum: the
 * mode only changes through a VACUUM, which rewrites the file once (outside any
 * transaction; atomic, so a crash leaves the old file). After that, the janitor's
 * `PRAGMA incremental_vacuum(N)` returns freed pages to the file system.
 */
function incrementalVacuum(db: Database.Database): void {
  const INCREMENTAL = 2;
  if (db.pragma('auto_vacuum', { simple: true }) === INCREMENTAL) return;
  db.pragma('auto_vacuum = INCREMENTAL');
  db.exec('VACUUM');
}

/**
 * One transaction wrapper per database, reused for every call: `inTx(() => …)` runs the
 * closure between BEGIN IMMEDIATE and COMMIT (ROLLBACK if it throws) without building a
 * new wrapper on each request. IMMEDIATE takes the write lock first, waiting up to the
 * busy timeout: several coordinators may share the file, and a deferred transaction that
 * read before another process committed could not write at all (SQLITE_BUSY_SNAPSHOT,
 * which no timeout waits out). With one process it costs nothing: its calls never overlap.
 */
export function transactionRunner(db: SqlDatabase): <T>(body: () => T) => T {
  // On SQLite, IMMEDIATE: with several processes on one file, a deferred transaction
  // that has read cannot then write (SQLITE_BUSY_SNAPSHOT, which no timeout waits out).
  // PostgreSQL's transactions take the store's lock first (pg-database.ts).
  const tx = db.transaction((body: () => unknown) => body()) as ((
    body: () => unknown,
  ) => unknown) & {
    immediate?: (body: () => unknown) => unknown;
  };
  const run = tx.immediate ?? tx;
  return <T>(body: () => T) => run(body) as T;
}

/** A prepared statement for each SQL text, compiled once: `sql(text).run(…)`. */
export function statementCache(db: SqlDatabase): (text: string) => SqlStatement {
  const statements = new Map<string, SqlStatement>();
  return (text) => {
    let stmt = statements.get(text);
    if (!stmt) {
      stmt = db.prepare(text);
      statements.set(text, stmt);
    }
    return stmt;
  };
}

/** Rows one multi-row INSERT writes at most. */
export const ROWS_PER_INSERT = 100;

/** `count` copies of a VALUES row, comma-separated, for a multi-row INSERT. */
export function rows(count: number, row: string): string {
  return Array.from({ length: count }, () => row).join(', ');
}
