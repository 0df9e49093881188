/**
 * @module
 * One numbered schema migration: portable SQL run in one transaction (migrations.ts).
 */

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Statements run in order inside one transaction. */
  readonly statements: readonly string[];
}
