/**
 * @module
 * Accounts as an admin manages them in SQLite: the list with their fair-share weights,
 * and setting a weight (migration 21). Tokens, which create accounts, stay in
 * sqlite-store.ts.
 */

import type { AccountRow } from '../store.js';
import type { SqliteDatabase } from './sqlite-database.js';

const COLUMNS = 'id, name, share, created_at AS createdAt';

export class SqliteAccounts {
  private readonly list;
  private readonly one;
  private readonly setShare;
  private readonly shares;

  constructor(db: SqliteDatabase) {
    this.list = db.prepare(`SELECT ${COLUMNS} FROM accounts ORDER BY id DESC LIMIT ?`);
    this.one = db.prepare(`SELECT ${COLUMNS} FROM accounts WHERE id = ?`);
    this.setShare = db.prepare('UPDATE accounts SET share = ? WHERE id = ?');
    this.shares = db.prepare('SELECT id, share FROM accounts WHERE share <> 1');
  }

  listAccounts(limit: number): AccountRow[] {
    return (this.list.all(limit) as AccountRow[]).map(accountRow);
  }

  setAccountShare(accountId: number, share: number): AccountRow | null {
    if (this.setShare.run(share, accountId).changes === 0) return null;
    return accountRow(this.one.get(accountId) as AccountRow);
  }

  accountShares(): Map<number, number> {
    const rows = this.shares.all() as { id: number; share: number }[];
    return new Map(rows.map((r) => [Number(r.id), Number(r.share)]));
  }
}

function accountRow(r: AccountRow): AccountRow {
  return { id: Number(r.id), name: r.name, share: Number(r.share), createdAt: Number(r.createdAt) };
}
