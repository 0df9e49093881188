/**
 * @module
 * The logger `anygrid provide` gives its agent: pino JSON lines at `--log-level` on
 * stderr, as `serve` logs, and the latest warning or error kept for the status line, so
 * a terminal at the default level still says what last went wrong. The logger itself
 * runs at `warn` or below for that, and lines under the asked level are dropped here;
 * there are few of them, so parsing each one costs nothing that shows.
 */

import { type Logger, pino } from 'pino';
import { LOG_LEVELS } from './log-level-option.js';

/** A warning or error the agent logged. */
export interface LoggedProblem {
  /** When it was logged (ms since the epoch). */
  readonly time: number;
  /** Its message, with the error's own message when it carries one. */
  readonly message: string;
  /** Logged as a warning (the agent copes: it retries, moves, falls back) or an error. */
  readonly severity: 'warning' | 'error';
}

/** The agent's logger and what it last complained about. */
export interface ProviderLog {
  readonly logger: Logger;
  lastProblem(): LoggedProblem | undefined;
}

const WARN = LOG_LEVELS.warn as number;

/**
 * A logger writing lines at `level` or above through `write` (each with its newline),
 * remembering the last line at `warn` or above whatever the level.
 */
export function createProviderLog(level: string, write: (line: string) => void): ProviderLog {
  const shown = LOG_LEVELS[level] ?? WARN;
  let last: LoggedProblem | undefined;
  const destination = {
    write(line: string) {
      const entry = parse(line);
      const n = typeof entry?.level === 'number' ? entry.level : WARN;
      if (entry && n >= WARN) last = problemOf(entry, n > WARN ? 'error' : 'warning');
      if (n >= shown) write(line);
    },
  };
  const loggerLevel = shown <= WARN ? level : 'warn';
  const logger = pino({ name: 'anygrid-agent', level: loggerLevel }, destination);
  return { logger, lastProblem: () => last };
}

function parse(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function problemOf(
  entry: Record<string, unknown>,
  severity: LoggedProblem['severity'],
): LoggedProblem {
  const msg = typeof entry.msg === 'string' ? entry.msg : 'problem';
  const err = entry.err as { message?: unknown } | undefined;
  const detail = typeof err?.message === 'string' && err.message ? `: ${err.message}` : '';
  const time = typeof entry.time === 'number' ? entry.time : Date.now();
  return { time, message: `${msg}${detail}`, severity };
}
