/**
 * @module
 * `anygrid ledger` (admin, docs/incentives.md): `check` runs the ledger's invariant check
 * (exit 1 when it fails), `credit ACCOUNT CREDITS` credits an account's balance,
 * `payouts [--after CURSOR]` lists what providers earned since a cursor and `payout
 * ACCOUNT CREDITS` marks a payout made. Money requests carry an idempotency key
 * (`--key`, default a new random one, printed): send the same key again to retry safely.
 */

import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { addClientOptions, type ClientOptions, clientFrom } from '../client-options.js';
import { creditsOption, formatCredits } from '../credit-amount.js';
import { intOption } from '../options.js';
import { printJson, println } from '../output.js';

interface KeyFlags extends ClientOptions {
  readonly key?: string;
}

export function registerLedger(program: Command): void {
  const ledger = program
    .command('ledger')
    .summary('check the ledger, credit accounts, list and mark payouts (admin)')
    .description(
      'The double-entry ledger (docs/incentives.md). Needs an admin token (--token or ' +
        'ANYGRID_TOKEN; dev: .anygrid/admin.token). Amounts are in credits, up to six decimals.',
    );

  const check = ledger
    .command('check', { isDefault: true })
    .summary('check the invariant: entries sum to zero, valid replicas paid once')
    .description(
      'Checks that every transfer sums to zero, no balance that may not be negative is, every ' +
        'validated replica of a paid job is paid exactly once and no other, and ended jobs hold ' +
        'no escrow. Exits 1 when a rule is broken, naming it.',
    );
  addClientOptions(check).action(async (flags: ClientOptions) => {
    const result = await clientFrom(flags).ledgerCheck();
    if (flags.json) printJson(result);
    else {
      println(
        `${result.ok ? 'ok' : 'BROKEN'}: ${result.transfers} transfers, ${result.postings} postings, ${result.paidReplicas} replicas paid`,
      );
      for (const [kind, total] of Object.entries(result.totals)) {
        println(`  ${kind.padEnd(9)} ${formatCredits(total).padStart(20)}`);
      }
      for (const p of result.problems) println(`  ${p.rule}: ${p.message}`);
    }
    if (!result.ok) process.exitCode = 1;
  });

  const credit = ledger
    .command('credit')
    .summary("credit an account's balance")
    .description("Credits an account's balance with money the operator received, once per --key.")
    .argument('<account>', 'account id', intOption(1))
    .argument('<credits>', 'amount in credits, e.g. 10 or 0.5', creditsOption)
    .option('--key <key>', 'idempotency key (default: a new random one)')
    .option('--memo <text>', 'a note kept with the transfer');
  addClientOptions(credit).action(
    async (account: number, amount: number, flags: KeyFlags & { memo?: string }) => {
      const idempotencyKey = flags.key ?? randomUUID();
      const r = await clientFrom(flags).credit(account, {
        amount,
        idempotencyKey,
        ...(flags.memo === undefined ? {} : { memo: flags.memo }),
      });
      if (flags.json) printJson({ ...r, idempotencyKey });
      else
        println(
          `credited ${formatCredits(amount)} to account ${account}: balance ${formatCredits(r.balance)} (transfer ${r.transferId}, key ${idempotencyKey})`,
        );
    },
  );

  const payouts = ledger
    .command('payouts')
    .summary('what each provider earned since a cursor')
    .description(
      'What each provider earned (payments less reversals) since a cursor, and its earnings ' +
        'now; pass the printed cursor as --after next time.',
    )
    .option(
      '--after <cursor>',
      'cursor from the previous call (default 0: from the start)',
      intOption(0),
    );
  addClientOptions(payouts).action(async (flags: ClientOptions & { after?: number }) => {
    const r = await clientFrom(flags).payouts(flags.after ?? 0);
    if (flags.json) {
      printJson(r);
      return;
    }
    println(`${'ACCOUNT'.padStart(8)}  ${'EARNED'.padStart(20)}  ${'EARNINGS'.padStart(20)}`);
    for (const p of r.providers) {
      println(
        `${String(p.account).padStart(8)}  ${formatCredits(p.earned).padStart(20)}  ${formatCredits(p.earnings).padStart(20)}`,
      );
    }
    println(`cursor ${r.cursor}`);
  });

  const payout = ledger
    .command('payout')
    .summary('mark a payout made from a provider’s earnings')
    .description(
      'Records that the operator paid a provider this much of its earnings, once per --key.',
    )
    .argument('<account>', 'provider account id', intOption(1))
    .argument('<credits>', 'amount in credits', creditsOption)
    .option('--key <key>', 'idempotency key (default: a new random one)');
  addClientOptions(payout).action(async (account: number, amount: number, flags: KeyFlags) => {
    const idempotencyKey = flags.key ?? randomUUID();
    const r = await clientFrom(flags).markPayout({ account, amount, idempotencyKey });
    if (flags.json) printJson({ ...r, idempotencyKey });
    else
      println(
        `paid out ${formatCredits(amount)} to account ${account}: earnings left ${formatCredits(r.balance)} (transfer ${r.transferId}, key ${idempotencyKey})`,
      );
  });
}
