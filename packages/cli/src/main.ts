/**
 * @module
 * The `anygrid` program: registers one command per file under `commands/`, parses the
 * arguments and turns every failure into `error CODE: message` plus a next step, with
 * exit code 2 for usage errors and 1 otherwise.
 */

import { Command, CommanderError } from 'commander';
import { reportError, USAGE_EXIT } from './cli-error.js';
import { registerAccounts } from './commands/accounts.js';
import { registerCancel } from './commands/cancel.js';
import { registerHosts } from './commands/hosts.js';
import { registerJobs } from './commands/jobs.js';
import { registerKeys } from './commands/keys.js';
import { registerLeaderboard } from './commands/leaderboard.js';
import { registerLedger } from './commands/ledger.js';
import { registerMigrate } from './commands/migrate.js';
import { registerProvide } from './commands/provide.js';
import { registerQuote } from './commands/quote.js';
import { registerResults } from './commands/results.js';
import { registerRun } from './commands/run.js';
import { registerServe } from './commands/serve.js';
import { registerSign } from './commands/sign.js';
import { registerStake } from './commands/stake.js';
import { registerStatement } from './commands/statement.js';
import { registerStatus } from './commands/status.js';
import { registerSubmit } from './commands/submit.js';
import { registerToken } from './commands/token.js';
import { registerWhy } from './commands/why.js';
import { withSpreadArgs } from './option-like-args.js';

/** The CLI's version, printed by `anygrid --version`. */
export const VERSION = '0.1.0';

/** Builds the program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('anygrid')
    .description("Anygrid: lend any device's compute, submit verified work.")
    .version(VERSION)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      outputError: (str, write) => {
        // The command given, when one was: its help is the one to read.
        const first = process.argv.slice(2).find((a) => !a.startsWith('-'));
        const named = program.commands.find((c) => c.name() === first);
        const help = named ? `anygrid ${named.name()} --help` : 'anygrid --help';
        write(`error USAGE: ${usageMessage(str)}\n  next: see \`${help}\`\n`);
      },
    });
  program.addHelpText(
    'after',
    '\nGetting started:\n' +
      '  npm start                # a coordinator and two local providers (anygrid serve --dev)\n' +
      '  export ANYGRID_URL=http://127.0.0.1:7070 ANYGRID_TOKEN=$(cat .anygrid/requester.token)\n' +
      '  anygrid submit examples/prime.wasm --wait -- 0 100000\n' +
      '\nEvery command has --help and --json; ANYGRID_URL and ANYGRID_TOKEN are the defaults of --url and --token.',
  );
  registerServe(program);
  registerProvide(program);
  registerSubmit(program);
  registerQuote(program);
  registerStatus(program);
  registerWhy(program);
  registerResults(program);
  registerJobs(program);
  registerCancel(program);
  registerHosts(program);
  registerLeaderboard(program);
  registerToken(program);
  registerAccounts(program);
  registerLedger(program);
  registerStatement(program);
  registerStake(program);
  registerKeys(program);
  registerSign(program);
  registerRun(program);
  registerMigrate(program);
  return program;
}

/** Runs the CLI on `argv` (as in `process.argv`) and sets the process exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  // `anygrid jobs | head` closes stdout early; that is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  const program = buildProgram();
  try {
    await program.parseAsync(withSpreadArgs(program, argv));
  } catch (err) {
    if (err instanceof CommanderError) {
      // `anygrid help [command]` shows help as --help does: not an error.
      const help = err.code === 'commander.help';
      const ok =
        ['commander.helpDisplayed', 'commander.version'].includes(err.code) ||
        (help && err.exitCode === 0);
      process.exitCode = ok ? 0 : err.code === 'commander.executeSubCommandAsync' ? 1 : USAGE_EXIT;
      // Its line on stderr is written already (configureOutput); a script asked for JSON.
      if (!ok && !help && argv.includes('--json')) {
        const message = usageMessage(err.message);
        process.stdout.write(`${JSON.stringify({ error: { code: 'USAGE', message } })}\n`);
      }
      return;
    }
    process.exitCode = reportError(err, argv.includes('--json'));
  }
}

/**
 * Commander's usage error as one sentence: its `error: ` prefix dropped, and an argument's
 * own parser message not wrapped in Commander's ("command-argument value 'abc' is invalid
 * for argument 'job'. not a job id: abc" reads `<job>: not a job id: abc`).
 */
export function usageMessage(text: string): string {
  return text
    .trim()
    .replace(/^error: /, '')
    .replace(/^command-argument value '.*' is invalid for argument '([^']+)'\. /s, '<$1>: ');
}
