/**
 * @module
 * One numbered schema migration: portable SQL run in one transaction (migrations.ts).
 */

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Statements run in order inside one transaction. */
  readonly statements: readonly string[];
  /**
   * Statements run on PostgreSQL only, after `statements` in the same transaction, in its
   * own dialect: what concerns its engine alone.
   */
  readonly postgres?: readonly string[];
}
