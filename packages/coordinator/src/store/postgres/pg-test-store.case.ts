/**
 * @module
 * PostgreSQL for tests: the server of `ANYGRID_TEST_POSTGRES` (default the machine's,
 * `postgres://postgres@127.0.0.1:5432/test`), a fresh schema per store so that runs
 * never see each other's rows, dropped when the file's tests end. Without a server the
 * tests that need one skip with the reason on a laptop and fail under CI
 * (`requireResource`).
 */

import { createRequire } from 'node:module';
import { afterAll, afterEach } from 'vitest';
import { requireResource } from '../../../../runtime/test/require-resource.js';
import type { SqliteStoreOptions } from '../sqlite/sqlite-store.js';
import { PgDatabase } from './pg-database.js';
import { PostgresStore, parsePostgresUrl } from './postgres-store.js';

export const TEST_POSTGRES_URL =
  process.env.ANYGRID_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why PostgreSQL cannot be used here, or undefined when it can. */
function probe(): string | undefined {
  try {
    createRequire(import.meta.url)('libpq');
  } catch {
    return 'the libpq binding is not installed (apt-get install -y libpq-dev, then npm ci)';
  }
  try {
    new PgDatabase(parsePostgresUrl(TEST_POSTGRES_URL).conninfo, new Set()).close();
    return undefined;
  } catch (error) {
    return `no server at ${TEST_POSTGRES_URL} (${(error as Error).message.trim()}); set ANYGRID_TEST_POSTGRES`;
  }
}

const missing = probe();

/** True when PostgreSQL tests can run: for `describe.skipIf(!postgresPresent)`. */
export const postgresPresent = requireResource({
  name: 'PostgreSQL',
  present: missing === undefined,
  missing: missing ?? '',
});

const schemas: string[] = [];
/** Stores opened by the running test: closed after it, so connections do not pile up. */
const opened: PostgresStore[] = [];
let counter = 0;

/** A store URL naming a schema no other test uses. */
export function freshSchemaUrl(): string {
  const schema = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  schemas.push(schema);
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** A migrated store in a fresh schema, or in the schema of `url` when given (a reopen). */
export async function openPgStore(
  options: SqliteStoreOptions = {},
  url: string = freshSchemaUrl(),
): Promise<PostgresStore & { url: string }> {
  const store = new PostgresStore(url, options);
  opened.push(store);
  await store.migrate();
  return Object.assign(store, { url });
}

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

afterAll(() => {
  if (!postgresPresent || schemas.length === 0) return;
  const db = new PgDatabase(parsePostgresUrl(TEST_POSTGRES_URL).conninfo, new Set());
  try {
    for (const schema of schemas.splice(0)) db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    db.close();
  }
});
