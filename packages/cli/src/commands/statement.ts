/**
 * @module
 * `anygrid statement`: an account's ledger entries (docs/incentives.md) — a requester's
 * credits, reserves and refunds, a provider's payments, reversals, stake and slashes —
 * with its balances; `--csv` for a spreadsheet or an accounting import. Admins name any
 * account with `--account`; others see their own.
 */

import type { StatementEntry } from '@anygrid/protocol';
import type { Command } from 'commander';
import { addClientOptions, type ClientOptions, clientFrom } from '../client-options.js';
import { formatCredits } from '../credit-amount.js';
import { intOption } from '../options.js';
import { printJson, println } from '../output.js';

interface StatementFlags extends ClientOptions {
  readonly account?: number;
  readonly after?: number;
  readonly limit?: number;
  readonly csv?: boolean;
}

const CSV_HEADER =
  'id,transfer,at,kind,ledger_account,amount_micros,amount_credits,job,replica,host';

/** One entry as a CSV line: no field can hold a comma or a quote (numbers and fixed words). */
export function csvLine(e: StatementEntry): string {
  return [
    e.id,
    e.transferId,
    new Date(e.at).toISOString(),
    e.kind,
    e.ledgerAccount,
    e.amount,
    formatCredits(e.amount),
    e.jobId ?? '',
    e.replicaId ?? '',
    e.hostId ?? '',
  ].join(',');
}

export function registerStatement(program: Command): void {
  const cmd = program
    .command('statement')
    .summary("an account's ledger entries and balances (--csv)")
    .description(
      "An account's ledger entries after a cursor, oldest first, with its balance, earnings " +
        'and stake (docs/incentives.md). Amounts in credits; --csv gives micro-credits too.',
    )
    .option('--account <id>', 'the account (admins only; default: the token’s own)', intOption(1))
    .option('--after <cursor>', 'entries after this entry id (default 0)', intOption(0))
    .option('--limit <n>', 'most entries (default 1000)', intOption(1, 10_000))
    .option('--csv', 'print CSV: one header line, one line per entry');
  addClientOptions(cmd).action(async (flags: StatementFlags) => {
    const s = await clientFrom(flags).statement({
      ...(flags.account === undefined ? {} : { account: flags.account }),
      ...(flags.after === undefined ? {} : { after: flags.after }),
      ...(flags.limit === undefined ? {} : { limit: flags.limit }),
    });
    if (flags.json) {
      printJson(s);
      return;
    }
    if (flags.csv) {
      println(CSV_HEADER);
      for (const e of s.entries) println(csvLine(e));
      return;
    }
    const b = s.balances;
    println(
      `account ${s.account}: balance ${formatCredits(b.balance)}, earnings ${formatCredits(b.earnings)}, stake ${formatCredits(b.stake)}`,
    );
    for (const e of s.entries) {
      const ref = [
        e.jobId === null ? '' : `job ${e.jobId}`,
        e.replicaId === null ? '' : `replica ${e.replicaId}`,
        e.hostId === null ? '' : `host ${e.hostId}`,
      ]
        .filter(Boolean)
        .join(' ');
      println(
        `${String(e.id).padStart(7)}  ${new Date(e.at).toISOString()}  ${e.kind.padEnd(13)} ${e.ledgerAccount.padEnd(8)} ${formatCredits(e.amount).padStart(18)}  ${ref}`,
      );
    }
    println(`cursor ${s.cursor}`);
  });
}
