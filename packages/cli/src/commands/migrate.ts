/**
 * @module
 * `anygrid migrate [--store URL|FILE] [--data DIR]`: brings a store's schema up to this
 * version's and says which migrations it applied. Coordinators migrate at start anyway;
 * an operator runs this first when several coordinators share one PostgreSQL database,
 * so that none of them starts while another is changing the schema.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { CliError } from '../cli-error.js';
import { addJsonOption } from '../client-options.js';
import { appliedText } from '../migration-list.js';
import { printJson, println } from '../output.js';

interface MigrateFlags {
  store?: string;
  data: string;
  json?: boolean;
}

export function registerMigrate(program: Command): void {
  const cmd = program
    .command('migrate')
    .summary("bring a store's schema up to date (operators)")
    .description(
      'Apply the migrations a store lacks: the PostgreSQL database of --store (or ANYGRID_STORE), else DIR/anygrid.db. Safe to run again, and while coordinators run: they wait for it.',
    )
    .addOption(
      new Option(
        '--store <url-or-file>',
        'postgres://user@host:port/db[?schema=name], or an SQLite file',
      ).env('ANYGRID_STORE'),
    )
    .option(
      '--data <dir>',
      'data directory whose anygrid.db to migrate without --store',
      './.anygrid',
    );
  addJsonOption(cmd).action((flags: MigrateFlags) => migrate(flags));
}

async function migrate(flags: MigrateFlags): Promise<void> {
  const { openStore, describeStore, isStoreUrl, migrationVersions } = await import(
    '@anygrid/coordinator'
  );
  const location = flags.store ?? join(flags.data, 'anygrid.db');
  // A mistyped path would otherwise become a new, empty store, "migrated" in full.
  if (!isStoreUrl(location) && !existsSync(location)) {
    throw new CliError(
      'NO_STORE',
      `there is no store at ${location}`,
      `a coordinator creates its store when it first starts (\`anygrid serve ${flags.store === undefined ? `--data ${flags.data}` : `--store ${location}`}\`); to migrate another, name it with --data DIR or --store`,
    );
  }
  const store = openStore(location);
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
  const applied = [...store.appliedMigrations];
  if (flags.json) {
    printJson({ store: describeStore(location), kind: store.kind, applied });
    return;
  }
  // In number order (--json keeps the order they ran in: one ran before an older one).
  println(`${describeStore(location)}: ${appliedText(applied, migrationVersions())}`);
}
