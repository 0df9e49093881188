/**
 * @module
 * Migration 29: trust from several accounts (policy/partner-accounts.ts). A validation
 * record keeps the distinct accounts whose hosts confirmed the host's results since its
 * last catch, and their number, which placement's SQL compares with a job's `partners`
 * to tell whether a trusted host is about. Listed in migrations.ts after the others.
 */

import type { Migration } from './migration.js';

export const TRUST_PARTNERS_MIGRATION: Migration = {
  version: 29,
  name: 'trust partners',
  statements: [
    // Account ids, comma-separated, at most MAX_TRUST_PARTNERS. Records from before start
    // with none: a host trusted then may have confirmed itself with an accomplice, so it
    // earns its partners again (its streak stands; only trust waits for them).
    `ALTER TABLE validation_records ADD COLUMN partners TEXT NOT NULL DEFAULT ''`,
    'ALTER TABLE validation_records ADD COLUMN partner_count INTEGER NOT NULL DEFAULT 0',
  ],
};
