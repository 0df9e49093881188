/**
 * @module
 * `anygrid stake CREDITS` (provider): moves the provider's earnings (or, with `--from
 * balance`, its balance) into its stake, which each invalid result of its hosts slashes
 * by the coordinator's `--slash-percent` and which its hosts' views show
 * (docs/incentives.md); `--unstake` moves stake back to its balance. Once per `--key`.
 */

import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { Option } from 'commander';
import { addClientOptions, type ClientOptions, clientFrom } from '../client-options.js';
import { creditsOption, formatCredits } from '../credit-amount.js';
import { printJson, println } from '../output.js';

interface StakeFlags extends ClientOptions {
  readonly from: 'balance' | 'earnings';
  readonly unstake?: boolean;
  readonly key?: string;
}

export function registerStake(program: Command): void {
  const cmd = program
    .command('stake')
    .summary("move a provider's earnings or balance into its stake (or back)")
    .description(
      'Stakes credits: a staked provider is slashed a share of its stake for each invalid ' +
        'result of its hosts, and its stake shows in `anygrid host`. Needs a provider token. ' +
        'Retrying with the same --key moves the money once.',
    )
    .argument('<credits>', 'amount in credits, e.g. 5 or 0.25', creditsOption)
    .addOption(
      new Option('--from <account>', 'where the stake comes from')
        .choices(['earnings', 'balance'])
        .default('earnings'),
    )
    .option('--unstake', 'move stake back into the balance instead')
    .option('--key <key>', 'idempotency key (default: a new random one)');
  addClientOptions(cmd).action(async (amount: number, flags: StakeFlags) => {
    const idempotencyKey = flags.key ?? randomUUID();
    const client = clientFrom(flags);
    const r = flags.unstake
      ? await client.unstake({ amount, idempotencyKey })
      : await client.stake({ amount, from: flags.from, idempotencyKey });
    if (flags.json) {
      printJson({ ...r, idempotencyKey });
      return;
    }
    const what = flags.unstake ? 'balance' : 'stake';
    println(
      `${flags.unstake ? 'unstaked' : 'staked'} ${formatCredits(amount)}: ${what} ${formatCredits(r.balance)} (transfer ${r.transferId}, key ${idempotencyKey})`,
    );
  });
}
