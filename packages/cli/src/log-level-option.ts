/**
 * @module
 * The `--log-level` option of the commands that run a long-lived part (`serve`,
 * `provide`): pino's levels, ANYGRID_LOG_LEVEL as the default, else `warn`, so a
 * terminal shows problems rather than a JSON line per request or task.
 */

import { Option } from 'commander';

/** pino's level names, lowest first, with their numbers; `silent` logs nothing. */
export const LOG_LEVELS: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

/** The level used when neither --log-level nor ANYGRID_LOG_LEVEL says one. */
export const DEFAULT_LOG_LEVEL = 'warn';

/** `--log-level <level>` for a command whose structured log of `what` goes to stderr. */
export function logLevelOption(what: string): Option {
  return new Option('--log-level <level>', `${what} log level (pino JSON lines on stderr)`)
    .choices(Object.keys(LOG_LEVELS))
    .env('ANYGRID_LOG_LEVEL')
    .default(DEFAULT_LOG_LEVEL);
}
