/**
 * @module
 * A PostgreSQL connection with the synchronous interface the store's SQL code is written
 * against (sql-database.ts), over libpq's blocking calls. Why blocking: the store's verbs
 * are written as SQLite transactions — read, decide in JavaScript, write — and running
 * them unchanged keeps one implementation of every rule for both databases. The cost is
 * that the coordinator's event loop waits for each round trip (about 50 µs on loopback
 * inside a transaction), as it waits for SQLite's disk today.
 *
 * A transaction's COMMIT is not waited for: the call returns once it is sent, and the
 * commit's `Confirmation` settles when PostgreSQL's answer is read — from the socket as it
 * becomes readable, or by the connection's next statement, which reads what is left
 * first. `collect` gathers the confirmations of the commits a function sent, so that each
 * store verb answers once its own are confirmed and fails with its own commit's failure
 * (postgres-store.ts). Meanwhile the coordinator goes on with other requests while
 * PostgreSQL works through the transaction's writes; without this, a coordinator and
 * PostgreSQL took turns, each idle while the other worked.
 *
 * Transactions are serializable by construction: each takes one transaction-scoped
 * advisory lock first, so the transactions of all coordinators on the database run one
 * at a time, as writers on one SQLite file do. That is what lets the same read-then-write
 * code stay correct with several coordinators (no replica assigned twice, no task
 * settled twice); reads outside a transaction take no lock. A coordinator killed inside
 * a transaction loses its connection, and PostgreSQL rolls back and frees the lock.
 */

import { createRequire } from 'node:module';
import type { SqlDatabase, SqlRunResult, SqlStatement } from '../sql-database.js';
import { Confirmation } from './pg-confirmation.js';
import { type PgStatementText, toPostgres } from './pg-dialect.js';
import { type Pending, Pipeline, type PipelineConnection } from './pg-pipeline.js';
import { type RowResult, type RowShape, readRows } from './pg-rows.js';

/** The lock every store transaction takes (with its schema's hash): one writer at a time across coordinators. */
export const STORE_LOCK_KEY = 0x616e7967; // "anyg"

/** The calls of libpq's binding this file uses. */
interface Libpq extends PipelineConnection, RowResult {
  connectSync(conninfo: string): void;
  on(event: 'readable', listener: () => void): void;
  startReader(): void;
  stopReader(): void;
  consumeInput(): boolean;
  socket(): number;
  finish(): void;
  exec(sql: string): void;
  prepare(name: string, sql: string, nParams: number): void;
  execPrepared(name: string, params: (string | null)[]): void;
  resultStatus(): string;
  resultErrorMessage(): string;
  resultErrorFields(): { sqlState?: string } | undefined;
  errorMessage(): string;
  cmdTuples(): string;
}

/** Loads the optional native binding, or says how to get it. */
function loadLibpq(): new () => Libpq {
  try {
    return createRequire(import.meta.url)('libpq') as new () => Libpq;
  } catch (error) {
    throw new Error(
      `the PostgreSQL store needs the libpq binding (npm package "libpq", built from source with the system's libpq: apt-get install libpq-dev, then npm ci): ${(error as Error).message}`,
    );
  }
}

/** The database could not be reached (wrong URL, server down, refused login). */
export class StoreUnreachableError extends Error {
  constructor(detail: string) {
    super(`cannot reach the PostgreSQL store: ${detail}`);
    this.name = 'StoreUnreachableError';
  }
}

/** An error PostgreSQL answered, with its SQLSTATE code. */
export class PgError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'PgError';
  }
}

/**
 * How often an unconfirmed commit's answer is looked for besides the socket turning
 * readable: a connection the server drops reports an error, not readability, to libuv.
 */
const CONFIRMATION_POLL_MS = 50;

export class PgDatabase implements SqlDatabase {
  readonly dialect = 'postgres';
  private pq!: Libpq;
  /** Statements every session starts with (the schema's search path): run again on a new one. */
  private readonly session = ['SET client_min_messages = warning'];
  private readonly statements = new Map<string, PgStatement>();
  private depth = 0;
  private open = true;
  /** The open transaction's statements in flight (pg-pipeline.ts); undefined outside one. */
  pipeline: Pipeline | undefined;
  /** The last transaction, committed but not yet confirmed. */
  private unconfirmed: { pipeline: Pipeline; confirmed: Confirmation } | undefined;
  /** Reads the confirmation now and then too: a dropped connection may never turn readable. */
  private confirmationPoll: NodeJS.Timeout | undefined;
  /** The commits sent while `collect` runs its function. */
  private collecting: Confirmation[] | undefined;

  constructor(
    private readonly conninfo: string,
    /** Tables whose `id` the database assigns (an INSERT returns it). */
    readonly idTables: ReadonlySet<string>,
  ) {
    this.pq = this.connect();
  }

  /** A new session, its statements run (notices such as "already exists, skipping" are not news). */
  private connect(): Libpq {
    const Pq = loadLibpq();
    const pq = new Pq();
    try {
      pq.connectSync(this.conninfo);
    } catch (error) {
      throw new StoreUnreachableError((error as Error).message.trim());
    }
    for (const sql of this.session) {
      pq.exec(sql);
      if (pq.resultStatus() === 'PGRES_FATAL_ERROR') throw pgError(pq, sql);
    }
    pq.on('readable', () => this.readConfirmation());
    return pq;
  }

  /** Runs `sql` now and at the start of every later session. */
  configureSession(sql: string): void {
    this.exec(sql);
    this.session.push(sql);
  }

  /**
   * Connects again when the server dropped the connection (it restarted, an operator ended
   * the session): the use that met the loss failed, and the next runs on a new session.
   * While the server is away each use fails with StoreUnreachableError and tries again.
   */
  private reconnectIfDropped(): void {
    if (!this.open || this.pq.socket() >= 0) return;
    const dropped = this.pq;
    this.pq = this.connect();
    dropped.finish();
    setTimeout(() => dropped, 1000).unref();
    // Prepared statements were the old session's.
    for (const stmt of this.statements.values()) stmt.forgetPreparation();
  }

  /** Before the connection is used for something new: the last commit read, the session alive. */
  private ready(): void {
    this.confirm();
    this.reconnectIfDropped();
  }

  /**
   * Runs `fn` and gives what it returned with the confirmations of the commits sent while
   * it ran (synchronously: a store verb's own transactions run before its first await).
   */
  collect<T>(fn: () => T): { result: T; sent: readonly Confirmation[] } {
    const outer = this.collecting;
    const sent: Confirmation[] = [];
    this.collecting = sent;
    try {
      return { result: fn(), sent };
    } finally {
      this.collecting = outer;
    }
  }

  /** Reads what of the unconfirmed commit has arrived, without waiting. */
  private readConfirmation(): void {
    const pending = this.unconfirmed;
    if (!pending) return;
    let failure: Error | undefined;
    try {
      if (!this.pq.consumeInput()) throw pgError(this.pq);
      if (!pending.pipeline.readReady()) return;
      failure = pending.pipeline.finish();
    } catch (error) {
      failure = error as Error;
    }
    this.settle(failure);
  }

  /** Waits for the unconfirmed commit, if any: the connection is needed for something else. */
  private confirm(): void {
    if (!this.unconfirmed) return;
    let failure: Error | undefined;
    try {
      failure = this.unconfirmed.pipeline.finish();
    } catch (error) {
      failure = error as Error;
    }
    this.settle(failure);
  }

  private settle(failure: Error | undefined): void {
    const pending = this.unconfirmed;
    if (!pending) return;
    this.unconfirmed = undefined;
    this.pq.stopReader();
    clearInterval(this.confirmationPoll);
    // An error skips the rest of the pipeline, COMMIT with it: the transaction is still
    // open, aborted, until rolled back.
    if (failure) this.pq.exec('ROLLBACK');
    pending.confirmed.settle(failure);
  }

  /** Leaves the commit just sent to be confirmed when its answer arrives. */
  private awaitConfirmation(pipeline: Pipeline): void {
    const confirmed = new Confirmation();
    this.unconfirmed = { pipeline, confirmed };
    this.collecting?.push(confirmed);
    this.pq.startReader();
    this.confirmationPoll = setInterval(() => this.readConfirmation(), CONFIRMATION_POLL_MS);
  }

  prepare(sql: string): SqlStatement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = new PgStatement(this, toPostgres(sql, this.idTables), `s${this.statements.size}`);
      this.statements.set(sql, stmt);
    }
    // Each caller gets its own view (pluck and raw are per use, as in better-sqlite3).
    return stmt.view();
  }

  transaction<F extends (...args: never[]) => unknown>(fn: F): F {
    const run = (...args: Parameters<F>): ReturnType<F> => {
      if (this.depth > 0) return this.nested(fn, args);
      this.ready();
      // BEGIN and the store's lock go out with the first statements, unawaited.
      const pipeline = new Pipeline(this.pq, pgError);
      this.pipeline = pipeline;
      pipeline.sendText('BEGIN');
      // Keyed by the schema too: advisory locks are the database's, and grids kept in
      // schemas of their own (tests, a staging grid) need not wait for each other.
      pipeline.sendText(
        `SELECT pg_advisory_xact_lock(${STORE_LOCK_KEY}, hashtext(current_schema()))`,
      );
      this.depth++;
      try {
        const result = fn(...args) as ReturnType<F>;
        // A nested transaction that failed left a pipeline of its own.
        const last = this.pipeline ?? pipeline;
        last.sendCommit();
        this.awaitConfirmation(last);
        return result;
      } catch (error) {
        if (this.open) {
          (this.pipeline ?? pipeline).abandon();
          this.pq.exec('ROLLBACK');
        }
        throw error;
      } finally {
        this.depth--;
        this.pipeline = undefined;
      }
    };
    return run as unknown as F;
  }

  /** A transaction inside another: a savepoint, rolled back to when `fn` throws. */
  private nested<F extends (...args: never[]) => unknown>(
    fn: F,
    args: Parameters<F>,
  ): ReturnType<F> {
    const savepoint = `sp${this.depth}`;
    this.exec(`SAVEPOINT ${savepoint}`);
    this.depth++;
    try {
      const result = fn(...args) as ReturnType<F>;
      this.exec(`RELEASE SAVEPOINT ${savepoint}`);
      return result;
    } catch (error) {
      // An error leaves the pipeline aborted up to a sync point: end it, roll back to the
      // savepoint (the transaction goes on), and pipeline again.
      if (this.open && this.pipeline) {
        this.pipeline.abandon();
        this.pq.exec(`ROLLBACK TO SAVEPOINT ${savepoint}`);
        this.pipeline = new Pipeline(this.pq, pgError);
      }
      throw error;
    } finally {
      this.depth--;
    }
  }

  exec(sql: string): void {
    if (this.pipeline) {
      this.pipeline.wait(this.pipeline.sendText(sql));
      return;
    }
    this.ready();
    this.pq.exec(sql);
    this.check();
  }

  /** Runs a statement text directly (no preparation), outside a transaction: rows as objects. */
  query(sql: string): Record<string, unknown>[] {
    this.ready();
    this.pq.exec(sql);
    this.check();
    return readRows(this.pq, 'object') as Record<string, unknown>[];
  }

  close(): void {
    if (!this.open) return;
    this.confirm();
    this.open = false;
    this.pq.finish();
    // The binding closes its socket watcher asynchronously yet lets the object be
    // collected at once; collected before libuv's close callback, the process aborts
    // (uv__finish_close). Holding it a while lets the close complete.
    const pq = this.pq;
    setTimeout(() => pq, 1000).unref();
  }

  /** Prepares `text` on the server under `name` (once per connection). */
  serverPrepare(name: string, text: PgStatementText): void {
    this.ready();
    this.pq.prepare(name, text.text, text.count);
    this.check(text.text);
  }

  execute(name: string, params: (string | null)[], sql: string): Libpq {
    this.ready();
    this.pq.execPrepared(name, params);
    this.check(sql);
    return this.pq;
  }

  private check(sql?: string): void {
    const status = this.pq.resultStatus();
    if (status === 'PGRES_FATAL_ERROR' || status === 'PGRES_BAD_RESPONSE') {
      throw pgError(this.pq, sql);
    }
  }
}

/** The error of the current result. */
function pgError(pq: PipelineConnection, sql?: string): PgError {
  const message = (pq.resultErrorMessage() || pq.errorMessage()).trim();
  return new PgError(sql ? `${message} (in: ${sql})` : message, pq.resultErrorFields()?.sqlState);
}

/** A prepared statement; `view()` gives callers their own pluck/raw modes over it. */
class PgStatement implements SqlStatement {
  private prepared = false;
  /** The pipeline its preparation went out in, when not yet known to have succeeded. */
  private preparingIn: Pipeline | undefined;
  private pluckMode = false;
  private rawMode = false;

  constructor(
    private readonly db: PgDatabase,
    private readonly text: PgStatementText,
    private readonly name: string,
    private readonly base?: PgStatement,
  ) {}

  /** The session it was prepared in is gone: prepare again at the next use. */
  forgetPreparation(): void {
    this.prepared = false;
    this.preparingIn = undefined;
  }

  view(): PgStatement {
    return new PgStatement(this.db, this.text, this.name, this.base ?? this);
  }

  pluck(toggle = true): this {
    this.pluckMode = toggle;
    return this;
  }

  raw(toggle = true): this {
    this.rawMode = toggle;
    return this;
  }

  run(...params: unknown[]): SqlRunResult {
    const pipeline = this.db.pipeline;
    if (!pipeline) return this.ran(this.exec(params));
    // In a transaction, a write goes out unawaited: its result is read when asked for.
    const pending = this.send(pipeline, params, (pq) => this.ran(pq as Libpq));
    return {
      get changes() {
        return pipeline.wait(pending).changes;
      },
      get lastInsertRowid() {
        return pipeline.wait(pending).lastInsertRowid;
      },
    };
  }

  get(...params: unknown[]): unknown {
    const read = (pq: Libpq) => readRows(pq, this.mode, 1)[0];
    const pipeline = this.db.pipeline;
    if (!pipeline) return read(this.exec(params));
    return pipeline.wait(this.send(pipeline, params, (pq) => read(pq as Libpq)));
  }

  all(...params: unknown[]): unknown[] {
    const read = (pq: Libpq) => readRows(pq, this.mode);
    const pipeline = this.db.pipeline;
    if (!pipeline) return read(this.exec(params));
    return pipeline.wait(this.send(pipeline, params, (pq) => read(pq as Libpq)));
  }

  private get mode(): RowShape {
    return this.pluckMode ? 'pluck' : this.rawMode ? 'array' : 'object';
  }

  private ran(pq: Libpq): SqlRunResult {
    let lastInsertRowid = 0;
    if (this.text.returnsId && pq.ntuples() > 0) {
      lastInsertRowid = Number(pq.getvalue(pq.ntuples() - 1, 0));
    }
    return { changes: Number(pq.cmdTuples() || 0), lastInsertRowid };
  }

  /** Sends the statement down the pipeline, prepared first if this connection has not. */
  private send<T>(
    pipeline: Pipeline,
    params: unknown[],
    consume: (pq: PipelineConnection) => T,
  ): Pending<T> {
    const owner = this.base ?? this;
    if (!owner.prepared && owner.preparingIn !== pipeline) {
      owner.preparingIn = pipeline;
      pipeline.sendPrepare(this.name, this.text.text, this.text.count, () => {
        owner.prepared = true;
      });
    }
    return pipeline.sendPrepared(this.name, this.bind(params), this.text.text, consume);
  }

  private exec(params: unknown[]): Libpq {
    const owner = this.base ?? this;
    if (!owner.prepared) {
      this.db.serverPrepare(this.name, this.text);
      owner.prepared = true;
    }
    return this.db.execute(this.name, this.bind(params), this.text.text);
  }

  /** better-sqlite3's binding: values, one array of them, or an object of named ones. */
  private bind(params: unknown[]): (string | null)[] {
    let values: unknown[] = params;
    if (params.length === 1 && Array.isArray(params[0])) values = params[0];
    else if (
      this.text.names.length > 0 &&
      params.length === 1 &&
      typeof params[0] === 'object' &&
      params[0] !== null
    ) {
      const named = params[0] as Record<string, unknown>;
      values = this.text.names.map((n) => named[n]);
    }
    if (values.length !== this.text.count) {
      throw new RangeError(
        `statement takes ${this.text.count} parameters, got ${values.length}: ${this.text.text}`,
      );
    }
    return values.map(toText);
  }
}

function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') throw new TypeError('SQL parameters take 0 or 1, not booleans');
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  throw new TypeError(`cannot bind a ${typeof value} as an SQL parameter`);
}
