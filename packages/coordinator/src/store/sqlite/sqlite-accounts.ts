/**
 * @module
 * Accounts and their tokens: a token made for an account name creates the account when
 * new; a token's hash finds its principal; an admin lists accounts with their
 * fair-share weights and sets a weight (migration 21).
 */

import { randomInt } from 'node:crypto';
import type { Role } from '@anygrid/protocol';
import type { AccountRow, Principal } from '../store.js';
import { type SqliteDatabase, transactionRunner } from './sqlite-database.js';

const COLUMNS = 'id, name, share, created_at AS createdAt';

export class SqliteAccounts {
  private readonly list;
  private readonly one;
  private readonly setShare;
  private readonly shares;
  private readonly addAccount;
  private readonly accountId;
  private readonly addToken;
  private readonly principal;
  private readonly inTx;

  constructor(db: SqliteDatabase) {
    this.inTx = transactionRunner(db);
    this.addAccount = db.prepare(
      'INSERT INTO accounts (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
    );
    this.accountId = db.prepare('SELECT id FROM accounts WHERE name = ?').pluck();
    this.addToken = db.prepare(
      'INSERT INTO tokens (hash, account_id, role, label, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.principal = db.prepare(
      'SELECT a.id AS accountId, a.name AS account, t.role FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE t.hash = ?',
    );
    this.list = db.prepare(`SELECT ${COLUMNS} FROM accounts ORDER BY id DESC LIMIT ?`);
    this.one = db.prepare(`SELECT ${COLUMNS} FROM accounts WHERE id = ?`);
    this.setShare = db.prepare('UPDATE accounts SET share = ? WHERE id = ?');
    this.shares = db.prepare('SELECT id, share FROM accounts WHERE share <> 1');
  }

  /** A token of `role` for the account `account` (made when new; default a fresh name). */
  createToken(
    role: Role,
    account: string | undefined,
    tokenHash: string,
    label: string | undefined,
    now: number,
  ): Principal {
    return this.inTx(() => {
      const name = account ?? `${role}-${randomInt(1e9).toString(36)}`;
      this.addAccount.run(name, now);
      const accountId = this.accountId.get(name) as number;
      this.addToken.run(tokenHash, accountId, role, label ?? null, now);
      return { accountId, account: name, role };
    });
  }

  findToken(tokenHash: string): Principal | null {
    return (this.principal.get(tokenHash) as Principal | undefined) ?? null;
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
