/**
 * @module
 * What the store's SQL code (store/sqlite/) needs of a database: prepared statements that
 * run synchronously, and transactions. better-sqlite3 is this interface; the PostgreSQL
 * database (postgres/pg-database.ts) gives the same over libpq's synchronous calls, so one
 * implementation of every store verb — assignment, settlement, quorum, leases, purges —
 * runs on both, and a transaction never interleaves with another request of its process.
 */

export interface SqlRunResult {
  /** Rows the statement changed. */
  readonly changes: number;
  /** The id of the last row an INSERT wrote (consecutive for a multi-row INSERT). */
  readonly lastInsertRowid: number | bigint;
}

export interface SqlStatement {
  run(...params: unknown[]): SqlRunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  /** Rows are their first column's value. */
  pluck(toggle?: boolean): this;
  /** Rows are arrays of their columns' values. */
  raw(toggle?: boolean): this;
}

export interface SqlDatabase {
  /** Which SQL it speaks, for the few expressions written twice (sqlite-large-inputs.ts). */
  readonly dialect: 'sqlite' | 'postgres';
  prepare(sql: string): SqlStatement;
  /** Wraps `fn` so that each call runs in one transaction (a savepoint when nested). */
  transaction<F extends (...args: never[]) => unknown>(fn: F): F;
  exec(sql: string): unknown;
  close(): unknown;
}

/** What differs between the databases under the store: opening, migrating, giving space back. */
export interface SqlEngine {
  /** A short name for health output, e.g. "sqlite". */
  readonly kind: string;
  readonly db: SqlDatabase;
  /** Applies pending migrations (migrations.ts); returns the versions it applied. */
  migrate(now: number): number[];
  /** Gives up to `maxPages` free pages back to the file system (SQLite) or reports none. */
  reclaimSpace(maxPages: number): { freed: number; free: number; total: number };
}
