/**
 * @module
 * A task's large inputs read in SQL, for the ready replicas the store hands the scheduler
 * without the task's spec in hand (at start, and reissues): `hash:size,…` of its stdin and
 * files of at least `LOCALITY_BLOB_BYTES`, read from the stored spec by SQLite's JSON
 * functions instead of parsing every spec in JavaScript. `largeBlobsFromList` turns it
 * into the replica's `large` with the job's module.
 */

import { LOCALITY_BLOB_BYTES } from '@anygrid/protocol';
import type { SqlDatabase } from '../sql-database.js';

/**
 * An SQL expression over a task spec (a column or a subquery) giving `hash:size,…` or
 * NULL. A spec that names no blob (most tasks: arguments only) is passed over by a text
 * search, cheaper than walking its JSON: a coordinator restarting with a million queued
 * replicas reads them all through this.
 */
export function largeInputsOf(spec: string, dialect: SqlDatabase['dialect']): string {
  if (dialect === 'postgres') return largeInputsOfPg(spec);
  return `(SELECT group_concat((o.value ->> 'hash') || ':' || (o.value ->> 'size'))
     FROM (SELECT ${spec} AS s) x, json_tree(x.s) o
     WHERE instr(x.s, '"hash"') > 0 AND o.type = 'object'
       AND (o.path = '$.files' OR o.fullkey = '$.stdin')
       AND (o.value ->> 'size') >= ${LOCALITY_BLOB_BYTES})`;
}

/** The same in PostgreSQL's jsonb: the stdin, and each of the files (an object by name). */
function largeInputsOfPg(spec: string): string {
  return `(SELECT string_agg((o ->> 'hash') || ':' || (o ->> 'size'), ',')
     FROM (SELECT ${spec} AS s) x,
       LATERAL (SELECT x.s::jsonb AS j WHERE strpos(x.s, '"hash"') > 0) y,
       LATERAL (SELECT y.j -> 'stdin' AS o UNION ALL SELECT f.value FROM jsonb_each(
         CASE WHEN jsonb_typeof(y.j -> 'files') = 'object' THEN y.j -> 'files' ELSE '{}'::jsonb END) f) e
     WHERE jsonb_typeof(o) = 'object' AND (o ->> 'size')::numeric >= ${LOCALITY_BLOB_BYTES})`;
}
