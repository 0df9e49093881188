/**
 * @module
 * Opens the store a coordinator is told to use: a `postgres://` URL (several
 * coordinators may share it, docs/scale-out.md), or the path of an SQLite file, the
 * default under the data directory.
 */

import { isPostgresUrl, PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore, type SqliteStoreOptions, type SqlStore } from './sqlite/sqlite-store.js';

export function openStore(location: string, options: SqliteStoreOptions = {}): SqlStore {
  return isPostgresUrl(location)
    ? new PostgresStore(location, options)
    : new SqliteStore(location, options);
}

/** The location with any password hidden, for logs and health output. */
export function describeStore(location: string): string {
  if (!isPostgresUrl(location)) return location;
  const url = new URL(location);
  if (url.password) url.password = '***';
  return url.toString();
}
