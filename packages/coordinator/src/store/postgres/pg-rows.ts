/**
 * @module
 * A PostgreSQL result's rows as the store's SQL code reads them from SQLite: objects by
 * column name, arrays, or one column's values; numbers as numbers, booleans as 1 or 0,
 * text as text (pg-database.ts).
 */

/** The calls of libpq's binding a result is read through. */
export interface RowResult {
  ntuples(): number;
  nfields(): number;
  fname(column: number): string;
  ftype(column: number): number;
  getvalue(row: number, column: number): string;
  getisnull(row: number, column: number): boolean;
}

/** Type ids whose text is a number (int2, int4, int8, oid, float4, float8, numeric). */
const NUMERIC_TYPES = new Set([20, 21, 23, 26, 700, 701, 1700]);
const BOOL_TYPE = 16;

/** Rows as objects by column name, as arrays, or (pluck) the first column's values. */
export type RowShape = 'object' | 'array' | 'pluck';

/** How a column's text becomes a value as SQLite would give it. */
enum Kind {
  Text,
  Number,
  Bool,
}

/**
 * Up to `limit` rows of the current result. Column names and types are asked once per
 * result, not per row: each is a call into the binding, and a row of 14 columns made 42
 * of them before its values.
 */
export function readRows(
  pq: RowResult,
  shape: RowShape,
  limit = Number.POSITIVE_INFINITY,
): unknown[] {
  const n = Math.min(pq.ntuples(), limit);
  const rows = new Array<unknown>(n);
  if (n === 0) return rows;
  const width = shape === 'pluck' ? 1 : pq.nfields();
  const kinds = new Array<Kind>(width);
  for (let c = 0; c < width; c++) kinds[c] = kindOf(pq.ftype(c));
  if (shape === 'pluck') {
    const kind = kinds[0] as Kind;
    for (let i = 0; i < n; i++) rows[i] = cellValue(pq, i, 0, kind);
    return rows;
  }
  if (shape === 'array') {
    for (let i = 0; i < n; i++) {
      const values = new Array<unknown>(width);
      for (let c = 0; c < width; c++) values[c] = cellValue(pq, i, c, kinds[c] as Kind);
      rows[i] = values;
    }
    return rows;
  }
  const names = new Array<string>(width);
  for (let c = 0; c < width; c++) names[c] = pq.fname(c);
  for (let i = 0; i < n; i++) {
    const out: Record<string, unknown> = {};
    for (let c = 0; c < width; c++) out[names[c] as string] = cellValue(pq, i, c, kinds[c] as Kind);
    rows[i] = out;
  }
  return rows;
}

function kindOf(type: number): Kind {
  if (NUMERIC_TYPES.has(type)) return Kind.Number;
  return type === BOOL_TYPE ? Kind.Bool : Kind.Text;
}

/** A value as SQLite would give it: numbers as numbers, booleans as 1 or 0, text as text. */
function cellValue(pq: RowResult, row: number, column: number, kind: Kind): unknown {
  if (pq.getisnull(row, column)) return null;
  const text = pq.getvalue(row, column);
  if (kind === Kind.Number) return Number(text);
  if (kind === Kind.Bool) return text === 't' ? 1 : 0;
  return text;
}
