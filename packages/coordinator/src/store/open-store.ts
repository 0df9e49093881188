/**
 * @module
 * Opens the store a coordinator is told to use: a `postgres://` URL (several
 * coordinators may share it, docs/scale-out.md), or the path of an SQLite file, the
 * default under the data directory.
 */

import { isPostgresUrl, PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore, type SqliteStoreOptions, type SqlStore } from './sqlite/sqlite-store.js';
import { StoreLocationError } from './store-location-error.js';

/** Whether the location is a URL (`scheme://…`) rather than the path of an SQLite file. */
export function isStoreUrl(location: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location);
}

export function openStore(location: string, options: SqliteStoreOptions = {}): SqlStore {
  if (!isPostgresUrl(location) && isStoreUrl(location)) {
    throw new StoreLocationError(
      `"${describeStore(location)}" is not a store this coordinator opens: write postgres://user@host:5432/database, or the path of an SQLite file`,
    );
  }
  return isPostgresUrl(location)
    ? new PostgresStore(location, options)
    : new SqliteStore(location, options);
}

/** The location with any password hidden, for logs and health output. */
export function describeStore(location: string): string {
  if (!isStoreUrl(location)) return location;
  try {
    const url = new URL(location);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return location;
  }
}
