/**
 * @module
 * Options shared by the commands that talk to a coordinator (`--url`, `--token`, with
 * ANYGRID_URL / ANYGRID_TOKEN defaults) and the `--json` switch every command has.
 */

import { Anygrid, DEFAULT_URL, type RetryPolicy } from '@anygrid/sdk';
import { type Command, InvalidArgumentError, Option } from 'commander';

/** Options every coordinator-facing command receives. */
export interface ClientOptions {
  readonly url?: string;
  readonly token?: string;
  readonly json?: boolean;
}

/** Adds `--json` to a command. */
export function addJsonOption(cmd: Command): Command {
  return cmd.option(
    '--json',
    'print machine-readable JSON only on stdout (no progress, no color; an error is JSON there and a line on stderr)',
  );
}

/** Adds `--url`, `--token` and `--json` to a command. */
export function addClientOptions(cmd: Command): Command {
  cmd
    .addOption(
      new Option('--url <url>', `coordinator URL (default ${DEFAULT_URL})`)
        .env('ANYGRID_URL')
        .argParser(coordinatorUrl),
    )
    .addOption(new Option('--token <token>', 'bearer token').env('ANYGRID_TOKEN'));
  return addJsonOption(cmd);
}

/**
 * ` --url URL` for a next-step hint, when the command was pointed at a coordinator the
 * next command would not find by itself (neither the default nor ANYGRID_URL): on a grid
 * of several coordinators, a hint without it names another one, or none that answers.
 */
export function urlHint(opts: ClientOptions): string {
  const url = opts.url;
  if (url === undefined || url === DEFAULT_URL || url === process.env.ANYGRID_URL) return '';
  return ` --url ${url}`;
}

/** A client for the options' coordinator and token. */
export function clientFrom(opts: ClientOptions, retry?: RetryPolicy): Anygrid {
  return new Anygrid({ url: opts.url, token: opts.token, ...(retry ? { retry } : {}) });
}

/** Parses a positive job id argument. */
export function jobIdArg(value: string): number {
  const id = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(id)) {
    throw new InvalidArgumentError(
      `not a job id: ${value} (job ids are whole numbers, as submit prints them)`,
    );
  }
  return id;
}

/**
 * Checks a coordinator URL before any request: without it a typo such as a missing
 * `http://` reads as a coordinator that does not answer.
 */
export function coordinatorUrl(value: string): string | undefined {
  // An empty ANYGRID_URL (`export ANYGRID_URL=`) means unset, as the SDK reads it.
  if (value === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new InvalidArgumentError(`not an http(s) URL: ${value} (write it like ${DEFAULT_URL})`);
  }
  return value;
}
