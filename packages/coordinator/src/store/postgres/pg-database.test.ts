/**
 * The PostgreSQL connection's commits, which it sends without waiting (pg-database.ts),
 * on a real server: a commit is confirmed before the store answers, a failure that only
 * the commit reveals reaches the verb that sent it and keeps nothing, and the
 * connection's next statement reads what the last commit left first.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { PgDatabase } from './pg-database.js';
import { freshSchemaUrl, openPgStore, postgresPresent } from './pg-test-store.case.js';
import { parsePostgresUrl } from './postgres-store.js';

const open: PgDatabase[] = [];

/** A connection on a schema of its own, with one table of unique keys. */
function connect(url = freshSchemaUrl()): { db: PgDatabase; url: string } {
  const { conninfo, schema } = parsePostgresUrl(url);
  const db = new PgDatabase(conninfo, new Set());
  open.push(db);
  db.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path TO ${schema}`);
  db.exec('CREATE TABLE IF NOT EXISTS t (k BIGINT PRIMARY KEY, v TEXT)');
  return { db, url };
}

function rows(db: PgDatabase): unknown[] {
  return db.query('SELECT k, v FROM t ORDER BY k');
}

afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

describe.skipIf(!postgresPresent)('commits sent without waiting', () => {
  it('confirms a commit from the socket when nothing else uses the connection', async () => {
    const { db, url } = connect();
    const from = db.sentCommits;
    db.transaction(() => db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run(1, 'one'))();
    expect(db.sentCommits).toBe(from + 1);
    await db.committedSince(from);
    // Another connection sees it: confirmed means committed.
    const other = connect(url).db;
    expect(rows(other)).toEqual([{ k: 1, v: 'one' }]);
  });

  it('fails the verb whose commit revealed an error, keeps nothing of it, and goes on', async () => {
    const { db } = connect();
    const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    const from = db.sentCommits;
    // Writes go out unread: the duplicate key is only known when the results are read.
    const result = db.transaction(() => {
      insert.run(1, 'first');
      insert.run(1, 'again');
      return 'returned';
    })();
    expect(result).toBe('returned');
    await expect(db.committedSince(from)).rejects.toMatchObject({ code: '23505' });
    expect(rows(db)).toEqual([]);
    // The connection is fine, and a later transaction does not inherit the failure.
    const next = db.sentCommits;
    db.transaction(() => insert.run(2, 'two'))();
    await db.committedSince(next);
    expect(rows(db)).toEqual([{ k: 2, v: 'two' }]);
  });

  it('reads the last commit before the next statement, which sees its rows', async () => {
    const { db } = connect();
    const from = db.sentCommits;
    const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    db.transaction(() => insert.run(1, 'one'))();
    db.transaction(() => insert.run(1, 'clash'))();
    db.transaction(() => insert.run(3, 'three'))();
    // Read at once, no await: the reads wait for what is in flight.
    expect(rows(db)).toEqual([
      { k: 1, v: 'one' },
      { k: 3, v: 'three' },
    ]);
    // Three commits sent; the second failed, and whoever asks about it hears.
    await expect(db.committedSince(from)).rejects.toMatchObject({ code: '23505' });
    await expect(db.committedSince(from + 2)).resolves.toBeUndefined();
  });
});

describe.skipIf(!postgresPresent)('the PostgreSQL store', () => {
  it('answers a verb only once its commit is confirmed', async () => {
    const store = await openPgStore();
    const other = connect(store.url).db;
    for (let i = 0; i < 20; i++) {
      const from = store.connection.sentCommits;
      const owner = await store.createToken('requester', `req${i}`, `r${i}`, undefined, 0);
      expect(store.connection.sentCommits).toBeGreaterThan(from);
      // At once, from another connection: the commit was confirmed before the answer.
      expect(other.query(`SELECT id FROM accounts WHERE id = ${owner.accountId}`)).toHaveLength(1);
    }
  });
});
