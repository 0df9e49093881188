/**
 * @module
 * `anygrid token create --role R [--account NAME]`: creates a token with an admin token
 * taken from --token, ANYGRID_TOKEN, or the local coordinator's DIR/admin.token. The new
 * token alone goes to stdout, so `$(anygrid token create --role requester)` works.
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AnygridError, ErrorCode, type Role } from '@anygrid/protocol';
import { Anygrid } from '@anygrid/sdk';
import { type Command, Option } from 'commander';
import { CliError } from '../cli-error.js';
import { addClientOptions, type ClientOptions } from '../client-options.js';
import { finishGroup } from '../command-group.js';
import { note, printJson, println } from '../output.js';

interface TokenFlags extends ClientOptions {
  role: Role;
  account?: string;
  label?: string;
  data: string;
}

export function registerToken(program: Command): void {
  const token = program
    .command('token')
    .summary('manage tokens (admin)')
    .description('Manage bearer tokens; needs an admin token.');
  const create = token
    .command('create')
    .summary('create a requester, provider or admin token')
    .description(
      'Create a token. The admin token used is --token, else ANYGRID_TOKEN; when neither is ' +
        "given or the coordinator refuses it (ANYGRID_TOKEN is often a requester's), the local " +
        "coordinator's DIR/admin.token (written by `anygrid serve`). Prints the new token only.",
    )
    .addOption(
      new Option('--role <role>', 'role of the new token')
        .choices(['requester', 'provider', 'admin'])
        .makeOptionMandatory(),
    )
    .option('--account <name>', 'account to attach it to (created when new)')
    .option('--label <text>', 'a note on what the token is for')
    .option('--data <dir>', 'data directory of a local coordinator', './.anygrid');
  addClientOptions(create).action((flags: TokenFlags) => createToken(flags));
  finishGroup(token);
}

async function createToken(flags: TokenFlags): Promise<void> {
  const fileToken = await readAdminToken(flags.data);
  const candidates = [flags.token, fileToken].filter((t): t is string => Boolean(t));
  if (!candidates.length) {
    throw new CliError(
      'UNAUTHENTICATED',
      'no admin token: none given with --token or ANYGRID_TOKEN, and no readable ' +
        join(flags.data, 'admin.token'),
      'pass --token ADMIN_TOKEN, or --data DIR of the coordinator started with `anygrid serve`',
    );
  }
  let lastError: unknown;
  for (const token of new Set(candidates)) {
    try {
      const created = await new Anygrid({ url: flags.url, token }).createToken(
        flags.role,
        flags.account,
        flags.label,
      );
      if (flags.json) printJson(created);
      else {
        println(created.token);
        note(
          `created a ${created.role} token for account ${created.account} (#${created.accountId})`,
        );
      }
      return;
    } catch (err) {
      // ANYGRID_TOKEN is often a requester token (the dev setup exports one); the local
      // admin token is then the one meant.
      const denied =
        err instanceof AnygridError &&
        (err.code === ErrorCode.FORBIDDEN || err.code === ErrorCode.UNAUTHENTICATED);
      if (!denied) throw err;
      lastError = err;
    }
  }
  throw lastError;
}

async function readAdminToken(dir: string): Promise<string | undefined> {
  try {
    return (await readFile(join(dir, 'admin.token'), 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}
