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

/** Every commit `fn` sent, confirmed; rejects with the first failure. */
async function confirmed(sent: readonly { promise: Promise<void> }[]): Promise<void> {
  for (const c of sent) await c.promise;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!postgresPresent)('commits sent without waiting', () => {
  it('confirms a commit from the socket when nothing else uses the connection', async () => {
    const { db, url } = connect();
    const { sent } = db.collect(() =>
      db.transaction(() => db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run(1, 'one'))(),
    );
    expect(sent).toHaveLength(1);
    await confirmed(sent);
    // Another connection sees it: confirmed means committed.
    const other = connect(url).db;
    expect(rows(other)).toEqual([{ k: 1, v: 'one' }]);
  });

  it('fails the verb whose commit revealed an error, keeps nothing of it, and goes on', async () => {
    const { db } = connect();
    const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    // Writes go out unread: the duplicate key is only known when the results are read.
    const { result, sent } = db.collect(() =>
      db.transaction(() => {
        insert.run(1, 'first');
        insert.run(1, 'again');
        return 'returned';
      })(),
    );
    expect(result).toBe('returned');
    await expect(confirmed(sent)).rejects.toMatchObject({ code: '23505' });
    expect(rows(db)).toEqual([]);
    // The connection is fine, and a later transaction does not inherit the failure.
    const next = db.collect(() => db.transaction(() => insert.run(2, 'two'))());
    await confirmed(next.sent);
    expect(rows(db)).toEqual([{ k: 2, v: 'two' }]);
  });

  it('reads the last commit before the next statement, and tells each sender its own outcome', async () => {
    const { db } = connect();
    const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    const first = db.collect(() => db.transaction(() => insert.run(1, 'one'))());
    const clash = db.collect(() => db.transaction(() => insert.run(1, 'clash'))());
    const third = db.collect(() => db.transaction(() => insert.run(3, 'three'))());
    // Read at once, no await: the read waits for what is in flight.
    expect(rows(db)).toEqual([
      { k: 1, v: 'one' },
      { k: 3, v: 'three' },
    ]);
    await expect(confirmed(first.sent)).resolves.toBeUndefined();
    await expect(confirmed(clash.sent)).rejects.toMatchObject({ code: '23505' });
    await expect(confirmed(third.sent)).resolves.toBeUndefined();
  });

  it('commits what a transaction kept after a nested one failed and was caught', async () => {
    const { db, url } = connect();
    const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    const { sent } = db.collect(() =>
      db.transaction(() => {
        insert.run(1, 'kept');
        try {
          db.transaction(() => {
            insert.run(2, 'undone');
            throw new Error('the nested part gives up');
          })();
        } catch {}
        insert.run(3, 'kept too');
      })(),
    );
    await confirmed(sent);
    expect(rows(connect(url).db)).toEqual([
      { k: 1, v: 'kept' },
      { k: 3, v: 'kept too' },
    ]);
  });

  it('runs a transaction of more statements than the pipeline holds, each result its own', async () => {
    const { db, url } = connect();
    const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    const update = db.prepare('UPDATE t SET v = ? WHERE k = ?');
    const read = db.prepare('SELECT v FROM t WHERE k = ?').pluck();
    // 1 000 writes: the pipeline holds 256, so the oldest are read while more go out.
    const { result, sent } = db.collect(() =>
      db.transaction(() => {
        const writes = [];
        for (let k = 0; k < 500; k++) {
          writes.push(insert.run(k, `v${k}`));
          // Every other update names a missing row: its count tells the two apart.
          writes.push(update.run(`w${k}`, k % 2 === 0 ? k : k + 10_000));
        }
        // A read in the middle of it all sees every write sent before it.
        const seen = read.get(498);
        return { changes: writes.map((w) => w.changes), seen };
      })(),
    );
    await confirmed(sent);
    expect(result.seen).toBe('w498');
    expect(result.changes).toEqual(
      Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? 1 : ((i - 1) / 2) % 2 === 0 ? 1 : 0)),
    );
    const kept = connect(url).db.query(
      'SELECT count(*)::int AS n, count(*) FILTER (WHERE v LIKE $$w%$$)::int AS w FROM t',
    );
    expect(kept).toEqual([{ n: 500, w: 250 }]);
  });

  it('fails, and does not hang, a commit whose connection the server dropped', async () => {
    const { db, url } = connect();
    const pid = (db.query('SELECT pg_backend_pid() AS p')[0] as { p: number }).p;
    connect(url).db.query(`SELECT pg_terminate_backend(${pid})`);
    await sleep(100);
    let sent: readonly { promise: Promise<void> }[] = [];
    try {
      sent = db.collect(() =>
        db.transaction(() => db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run(1, 'lost'))(),
      ).sent;
    } catch (error) {
      // Refused at once when the loss shows while sending: as good as a failed commit.
      expect(String(error)).toMatch(/connection|server/i);
      return;
    }
    const outcome = await Promise.race([
      confirmed(sent).then(
        () => 'confirmed',
        () => 'failed',
      ),
      sleep(3_000).then(() => 'hung'),
    ]);
    expect(outcome).toBe('failed');
  });
});

describe.skipIf(!postgresPresent)('a session the server ended', () => {
  it('is opened again at the next use, with its search path and its statements prepared anew', async () => {
    const { db, url } = connect();
    // Its schema's search path is part of the session, as the store sets it.
    const { schema } = parsePostgresUrl(url);
    db.configureSession(`SET search_path TO ${schema}`);
    const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    await confirmed(db.collect(() => db.transaction(() => insert.run(1, 'before'))()).sent);
    const pid = (db.query('SELECT pg_backend_pid() AS p')[0] as { p: number }).p;
    connect(url).db.query(`SELECT pg_terminate_backend(${pid})`);
    await sleep(100);
    // The use that meets the loss fails...
    expect(() => db.query('SELECT 1 AS one')).toThrow();
    // ...and the next one runs on a new session: unqualified names, prepared statements.
    await confirmed(db.collect(() => db.transaction(() => insert.run(2, 'after'))()).sent);
    expect(rows(db)).toEqual([
      { k: 1, v: 'before' },
      { k: 2, v: 'after' },
    ]);
    const again = (db.query('SELECT pg_backend_pid() AS p')[0] as { p: number }).p;
    expect(again).not.toBe(pid);
  });

  it('lets the store answer again after its connection was ended', async () => {
    const store = await openPgStore();
    await store.createToken('requester', 'before', 'before-token', undefined, 0);
    const pid = (store.connection.query('SELECT pg_backend_pid() AS p')[0] as { p: number }).p;
    connect(store.url).db.query(`SELECT pg_terminate_backend(${pid})`);
    await sleep(100);
    await store.findToken('before-token').catch(() => null);
    await store.createToken('requester', 'after', 'after-token', undefined, 0);
    expect(await store.findToken('before-token')).not.toBeNull();
    expect(await store.findToken('after-token')).not.toBeNull();
  });
});

describe.skipIf(!postgresPresent)('the PostgreSQL store', () => {
  it('answers a verb only once its commit is confirmed', async () => {
    const store = await openPgStore();
    const other = connect(store.url).db;
    for (let i = 0; i < 20; i++) {
      const owner = await store.createToken('requester', `req${i}`, `r${i}`, undefined, 0);
      // At once, from another connection: the commit was confirmed before the answer.
      expect(other.query(`SELECT id FROM accounts WHERE id = ${owner.accountId}`)).toHaveLength(1);
    }
  });

  it('fails only the verb whose own commit failed, of several at once', async () => {
    const store = await openPgStore();
    await store.createToken('requester', 'first', 'taken', undefined, 0);
    const [alice, bob] = await Promise.allSettled([
      store.createToken('requester', 'alice', 'alice-token', undefined, 0),
      store.createToken('requester', 'bob', 'taken', undefined, 0),
    ]);
    expect(alice.status).toBe('fulfilled');
    expect(bob).toMatchObject({ status: 'rejected', reason: { code: '23505' } });
    expect(await store.findToken('alice-token')).not.toBeNull();
  });
});
