/**
 * @module
 * The few words in which the store's SQL differs between SQLite and PostgreSQL. The store
 * is written once, in SQL both understand nearly word for word (store/sqlite/); this
 * turns each statement into PostgreSQL's form when it is prepared, once per text:
 * numbered parameters, `ON CONFLICT DO NOTHING` for `INSERT OR IGNORE`, quoted camelCase
 * aliases (PostgreSQL folds unquoted names to lower case), JSON list parameters, and
 * the id of an inserted row (`RETURNING id`, what SQLite's `lastInsertRowid` gives).
 * Schema statements get PostgreSQL's types, and every table without an `id` its
 * `rowid` as in SQLite (insertion order, which some reads rely on). Pure, so the
 * translation of every statement is tested without a server.
 */

/** A statement as PostgreSQL runs it. */
export interface PgStatementText {
  readonly text: string;
  /** Parameter names in `$n` order when the SQL used `@name`; empty for positional `?`. */
  readonly names: readonly string[];
  /** How many parameters it takes. */
  readonly count: number;
  /** An INSERT given `RETURNING id`, so that `run` can answer `lastInsertRowid`. */
  readonly returnsId: boolean;
}

/**
 * Translates one data statement. `idTables` are the tables whose rows have an `id` the
 * database assigns (an INSERT into one returns it).
 */
export function toPostgres(sql: string, idTables: ReadonlySet<string>): PgStatementText {
  const names: string[] = [];
  let count = 0;
  // A value at a path of a JSON text (its path is a literal, so before they are set apart).
  const json = sql.replace(
    /json_extract\(([a-z_.]+), '\$\.([a-z_.]+)'\)/g,
    (_, column: string, path: string) =>
      `((${column})::jsonb #>> '{${path.split('.').join(',')}}')`,
  );
  // Parameters outside string literals: `?` in order, `@name` by name.
  const parts = splitLiterals(json);
  let text = parts
    .map((part) => {
      if (part.literal) return part.text;
      return words(part.text)
        .replace(/\?/g, () => `$${++count}`)
        .replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
          let at = names.indexOf(name);
          if (at < 0) {
            names.push(name);
            at = names.length - 1;
            count = Math.max(count, names.length);
          }
          return `$${at + 1}`;
        });
    })
    .join('');
  let returnsId = false;
  const ignore = /^\s*INSERT OR IGNORE INTO/i.test(text);
  if (ignore) text = text.replace(/INSERT OR IGNORE INTO/i, 'INSERT INTO');
  const insert = /^\s*INSERT INTO\s+([a-z_]+)/i.exec(text);
  if (insert) {
    const returning = /\bRETURNING\b/i.test(text);
    const tail = returning ? '' : idTables.has(insert[1] ?? '') ? ' RETURNING id' : '';
    if (ignore) {
      text = returning
        ? text.replace(/\bRETURNING\b/i, 'ON CONFLICT DO NOTHING RETURNING')
        : `${text} ON CONFLICT DO NOTHING`;
    }
    text += tail;
    returnsId = tail !== '';
  }
  return { text, names, count, returnsId };
}

/** The words outside string literals that differ. */
function words(sql: string): string {
  return (
    sql
      // A list of ids sent as one JSON array parameter. As `= ANY(array)`, not `IN
      // (subquery)`: a statement is prepared once, often on a table with no statistics
      // yet, and its generic plan for IN was a scan of the whole table (a pull's UPDATE of
      // 200 replicas took 0.6 s at 40 000 rows); ANY looks each id up in the key.
      .replace(
        /\bIN \(SELECT value FROM json_each\(\?\)\)/g,
        '= ANY(ARRAY(SELECT value::bigint FROM json_array_elements_text(?::json)))',
      )
      // SQLite's index hints; PostgreSQL's planner chooses alone.
      .replace(/\bINDEXED BY [a-z_]+/g, '')
      .replace(/\bgroup_concat\(([a-z_.]+)\)/gi, "string_agg(($1)::text, ',')")
      // SQLite's two-argument MAX is PostgreSQL's GREATEST.
      .replace(/\bMAX\(0,/g, 'GREATEST(0,')
      .replace(/\bAS ([a-z]+[A-Z][A-Za-z0-9]*)\b/g, 'AS "$1"')
  );
}

interface Part {
  readonly text: string;
  readonly literal: boolean;
}

/** Splits SQL into string literals ('…', with '' inside) and the rest. */
function splitLiterals(sql: string): Part[] {
  const parts: Part[] = [];
  let at = 0;
  while (at < sql.length) {
    const open = sql.indexOf("'", at);
    if (open < 0) break;
    let close = open + 1;
    for (;;) {
      close = sql.indexOf("'", close);
      if (close < 0) throw new Error(`unterminated string literal in SQL: ${sql}`);
      if (sql[close + 1] === "'") close += 2;
      else break;
    }
    parts.push({ text: sql.slice(at, open), literal: false });
    parts.push({ text: sql.slice(open, close + 1), literal: true });
    at = close + 1;
  }
  parts.push({ text: sql.slice(at), literal: false });
  return parts;
}

/**
 * Translates one schema statement of a migration: SQLite's `INTEGER` is 64 bits, and
 * PostgreSQL's 32, so every integer column is BIGINT; a table's `id INTEGER PRIMARY
 * KEY` (SQLite's rowid) is an identity column, and a table without one gets a `rowid`;
 * REAL is double precision; SQLite's storage clauses go.
 */
export function ddlToPostgres(sql: string): string {
  const table = /^\s*CREATE TABLE (?:IF NOT EXISTS )?[a-z_]+\s*\(/i.exec(sql);
  // SQLite numbers the rows of a table without an integer key in insertion order, and
  // some reads order by it: PostgreSQL's tables get the same column.
  if (table && !/\bid INTEGER PRIMARY KEY/.test(sql) && !/WITHOUT ROWID\s*$/i.test(sql)) {
    sql = `${table[0]}\n        rowid BIGINT GENERATED BY DEFAULT AS IDENTITY,${sql.slice(table[0].length)}`;
  }
  return sql
    .replace(
      /\bid INTEGER PRIMARY KEY( AUTOINCREMENT)?/g,
      'id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY',
    )
    .replace(/\bINTEGER\b/g, 'BIGINT')
    .replace(/\bREAL\b/g, 'DOUBLE PRECISION')
    .replace(/\bBLOB\b/g, 'BYTEA')
    .replace(/\)\s*WITHOUT ROWID\s*$/i, ')');
}

/** The tables whose `id` the database assigns, read from their CREATE TABLE statements. */
export function tablesWithIds(statements: Iterable<string>): Set<string> {
  const tables = new Set<string>();
  for (const sql of statements) {
    const m = /CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)\s*\(\s*id INTEGER PRIMARY KEY/i.exec(sql);
    if (m?.[1]) tables.add(m[1]);
  }
  return tables;
}

/** A statement that changes rows rather than the schema. */
export function isDataStatement(sql: string): boolean {
  return /^\s*(INSERT|UPDATE|DELETE)\b/i.test(sql);
}
