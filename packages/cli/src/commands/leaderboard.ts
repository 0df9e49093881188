/**
 * @module
 * `anygrid leaderboard`: volunteer credit ranked by host, account or team, by total or
 * (`--recent`) by recent average credit; and `anygrid team create NAME` / `anygrid team
 * join NAME`, which put this token's account in a team (docs/incentives.md).
 */

import type { LeaderboardBy } from '@anygrid/protocol';
import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import { addClientOptions, type ClientOptions, clientFrom } from '../client-options.js';
import { finishGroup } from '../command-group.js';
import { creditText, leaderboardLines } from '../credit-format.js';
import { intOption } from '../options.js';
import { note, printJson, println } from '../output.js';

interface LeaderboardFlags extends ClientOptions {
  by?: string;
  recent?: boolean;
  limit?: number;
}

const BY: readonly LeaderboardBy[] = ['host', 'account', 'team'];

export function registerLeaderboard(program: Command): void {
  const board = program
    .command('leaderboard')
    .summary('volunteer credit ranked by host, account or team')
    .description(
      'Volunteer credit ranked by host, account (default) or team: TOTAL credit ever granted ' +
        'and the RECENT average per day (halving a week after each grant). One credit is a ' +
        'CPU-second at the reference benchmark speed, granted only for validated results ' +
        '(docs/incentives.md, "Volunteer credit").',
    )
    .option('--by <what>', 'host, account or team', 'account')
    .option('--recent', 'rank by recent average credit rather than total')
    .option('--limit <n>', 'entries to show (1–1000)', intOption(1), 20);
  addClientOptions(board).action(async (flags: LeaderboardFlags) => {
    const by = flags.by ?? 'account';
    if (!BY.includes(by as LeaderboardBy)) {
      throw usageError(`--by must be one of ${BY.join(', ')}, not "${by}"`, 'leaderboard');
    }
    const result = await clientFrom(flags).leaderboard({
      by: by as LeaderboardBy,
      order: flags.recent ? 'recent' : 'total',
      limit: flags.limit,
    });
    if (flags.json) {
      printJson(result);
      return;
    }
    if (result.entries.length === 0) {
      note(
        by === 'team'
          ? 'no team has credit yet: a team counts what its members earn once in it (`anygrid team create NAME`, `anygrid team join NAME`)'
          : 'no credit granted yet: credit comes with validated results',
      );
      return;
    }
    for (const line of leaderboardLines(result)) println(line);
  });

  const team = program
    .command('team')
    .summary('create or join a team (its credit is what members earn while in it)');
  const create = team
    .command('create')
    .summary('create a team and join it')
    .argument('<name>', 'the team’s name (1–64 characters)');
  addClientOptions(create).action(async (name: string, flags: ClientOptions) => {
    const view = await clientFrom(flags).createTeam(name);
    if (flags.json) {
      printJson(view);
      return;
    }
    println(`created team "${view.name}" (#${view.id}); your account is in it`);
  });
  const join = team
    .command('join')
    .summary('join a team (leaving any other)')
    .argument('<name>', 'the team’s name');
  addClientOptions(join).action(async (name: string, flags: ClientOptions) => {
    const view = await clientFrom(flags).joinTeam(name);
    if (flags.json) {
      printJson(view);
      return;
    }
    println(
      `joined team "${view.name}" (#${view.id}, ${view.members} members): ${creditText(view.credit)}`,
    );
  });
  finishGroup(team);
}
