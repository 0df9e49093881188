/**
 * @module
 * Volunteer credit for humans (`anygrid leaderboard`, `anygrid host`, `anygrid team`):
 * credit in credits with two decimals (the API counts micro-credits), the recent average
 * per day, and a leaderboard table.
 */

import { CREDIT_MICROS, type CreditStanding, type Leaderboard } from '@anygrid/protocol';

/** Micro-credits as credits with two decimals. */
export function formatCredit(micro: number): string {
  return (micro / CREDIT_MICROS).toFixed(2);
}

/** A standing in one phrase: `12.50 credits, 3.21 a day recently`. */
export function creditText(c: CreditStanding): string {
  return `${formatCredit(c.totalMicro)} credits, ${c.recentPerDay.toFixed(2)} a day recently`;
}

const HEADER = `${'RANK'.padStart(4)}  ${'ID'.padStart(5)}  ${'TOTAL'.padStart(14)}  ${'RECENT/DAY'.padStart(12)}  NAME`;

/** The leaderboard as a table: a header, then one line per entry. */
export function leaderboardLines(board: Leaderboard): string[] {
  return [
    HEADER,
    ...board.entries.map((e) =>
      [
        String(e.rank).padStart(4),
        String(e.id).padStart(5),
        formatCredit(e.credit.totalMicro).padStart(14),
        e.credit.recentPerDay.toFixed(2).padStart(12),
        e.account === null ? e.name : `${e.name} (${e.account})`,
      ].join('  '),
    ),
  ];
}
