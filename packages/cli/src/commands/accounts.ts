/**
 * @module
 * `anygrid accounts` (admin): every account with its fair-share weight and the replicas
 * of its jobs waiting; `anygrid accounts share ACCOUNT N` sets the weight, so accounts
 * with work waiting share the providers in proportion (docs/scheduling.md).
 */

import type { AccountView } from '@anygrid/protocol';
import type { Anygrid } from '@anygrid/sdk';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { addClientOptions, type ClientOptions, clientFrom } from '../client-options.js';
import { numberOption } from '../options.js';
import { note, printJson, println } from '../output.js';

const HEADER = `${'ID'.padStart(5)}  ${'SHARE'.padStart(8)}  ${'QUEUED'.padStart(9)}  NAME`;

function accountLine(a: AccountView): string {
  return [
    String(a.id).padStart(5),
    String(a.share).padStart(8),
    String(a.queued).padStart(9),
    a.name,
  ].join('  ');
}

export function registerAccounts(program: Command): void {
  const accounts = program
    .command('accounts')
    .summary('list accounts and set their fair share (admin)')
    .description(
      'Accounts with their fair-share weight (SHARE, default 1) and the replicas of their ' +
        'jobs waiting (QUEUED). Accounts with work waiting are sent work in proportion to ' +
        'their shares; priority orders work within an account (docs/scheduling.md). Needs an ' +
        'admin token (--token or ANYGRID_TOKEN; dev: .anygrid/admin.token).',
    );
  const list = accounts
    .command('list', { isDefault: true })
    .summary('list accounts, newest first (the default)')
    .description('List accounts, newest first: id, share, replicas queued, name.');
  addClientOptions(list).action(async (flags: ClientOptions) => {
    const { accounts: rows } = await clientFrom(flags).accounts();
    if (flags.json) {
      printJson({ accounts: rows });
      return;
    }
    println(HEADER);
    for (const a of rows) println(accountLine(a));
  });

  const share = accounts
    .command('share')
    .summary("set an account's fair-share weight")
    .description(
      "Set an account's fair-share weight: an account of share 2 is sent twice the work of " +
        'an account of share 1 while both have work waiting. ACCOUNT is its name (as in ' +
        '`token create --account`) or its id.',
    )
    .argument('<account>', 'account name or id')
    .argument(
      '<share>',
      'weight, from 0.01 to 1000000 (default of every account: 1)',
      numberOption(0.01),
    );
  addClientOptions(share).action(async (account: string, weight: number, flags: ClientOptions) => {
    const client = clientFrom(flags);
    const id = await accountId(client, account);
    const updated = await client.setAccountShare(id, weight);
    if (flags.json) {
      printJson(updated);
      return;
    }
    println(`account ${updated.name} (#${updated.id}) has share ${updated.share}`);
    if (updated.queued > 0) note(`${updated.queued} replicas of its jobs are waiting`);
  });
}

/** The id of the account named `name`, or of id `name` when no account has that name. */
async function accountId(client: Anygrid, name: string): Promise<number> {
  const { accounts } = await client.accounts();
  const byName = accounts.find((a) => a.name === name);
  if (byName) return byName.id;
  if (/^\d+$/.test(name)) return Number(name);
  throw new CliError(
    'NOT_FOUND',
    `no account named ${name}`,
    'list accounts with `anygrid accounts`, then give a name or id from it',
  );
}
