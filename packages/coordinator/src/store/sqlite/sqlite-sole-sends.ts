/**
 * @module
 * A pull's fresh sole replicas (redundancy 1, nobody else's task) written to the host
 * in one UPDATE per deadline (sqlite-assignment.ts gathers them), rather than one per
 * replica, which on PostgreSQL is each a statement the server plans and runs. Those the
 * batch did not change (sent meanwhile, or not sole after all) are told apart with one
 * read and only those still waiting are tried alone. Apart from the assignment's loop
 * because it runs once the picks are gathered, and holds the batch's statements.
 */

import type { SqlRunResult, SqlStatement } from '../sql-database.js';
import type { SentPick } from './sqlite-assignment-answers.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** A pick written to the host, its write read back once the pull is done. */
export interface Sent extends SentPick {
  /** The UPDATE: one row changed when the store let the host have it. */
  write?: SqlRunResult;
  /** Written with the pull's other sole replicas of its deadline (`SqliteSoleSends`): whether it was. */
  sole?: boolean;
  /** For a compared job's pick in a sole group: the guarded write's arguments, should it not be sole. */
  guarded?: readonly (number | string | null)[];
  /** The account and network rule it was held to, to tell a lasting refusal. */
  account?: number | null;
  network?: string | null;
}

export class SqliteSoleSends {
  private readonly sendSole;
  private readonly stillUnsentOf;

  /** `sendReplica` and `sendGuarded` are the assignment's one-by-one writes, for the rest. */
  constructor(
    db: SqliteDatabase,
    private readonly sendReplica: SqlStatement,
    private readonly sendGuarded: SqlStatement,
  ) {
    // The state is tested through COALESCE so that PostgreSQL looks the ids up in the
    // key: with a plain `state = 'unsent'` its plan also scanned the index of every ready
    // replica (0.1–0.6 s a pull at 40 000 rows).
    this.sendSole = db
      .prepare(
        `UPDATE replicas SET state = 'in_progress', host_id = ?, sent_at = ?, deadline_at = ?
         WHERE id IN (SELECT value FROM json_each(?)) AND COALESCE(state, '') = 'unsent' AND sole = 1
         RETURNING id`,
      )
      .pluck();
    this.stillUnsentOf = db
      .prepare(
        `SELECT id FROM replicas WHERE id IN (SELECT value FROM json_each(?)) AND COALESCE(state, '') = 'unsent'`,
      )
      .pluck();
  }

  /** Writes a pull's fresh replicas of one deadline to the host: sole ones at once, others one by one (guarded when their job compares). */
  send(hostId: number, now: number, deadline: number, group: Sent[]): void {
    const ids = JSON.stringify(group.map((s) => s.pick.replicaId));
    const written = new Set(this.sendSole.all(hostId, now, deadline, ids) as number[]);
    if (written.size === group.length) {
      for (const s of group) s.sole = true;
      return;
    }
    // The rest were sent meanwhile (another coordinator's queue held them too: the usual
    // case) or are not sole: one read tells which still wait, and only those are tried alone.
    const rest = group.filter((s) => !written.has(s.pick.replicaId));
    const waiting = new Set(
      this.stillUnsentOf.all(JSON.stringify(rest.map((s) => s.pick.replicaId))) as number[],
    );
    for (const s of group) {
      if (written.has(s.pick.replicaId)) s.sole = true;
      else if (waiting.has(s.pick.replicaId)) {
        s.write = s.guarded
          ? this.sendGuarded.run(...s.guarded)
          : this.sendReplica.run(hostId, now, deadline, s.pick.replicaId, hostId);
      } else s.sole = false;
    }
  }
}
