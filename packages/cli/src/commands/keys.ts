/**
 * @module
 * `anygrid keys create [--out DIR]`: makes an Ed25519 key pair for signing modules. The
 * private key goes to DIR/signing.key (PKCS#8 PEM, mode 600), its public key to
 * DIR/signing.key.pub; the public key alone goes to stdout, in the form providers give
 * to `anygrid provide --trust-key`.
 */

import { join } from 'node:path';
import type { Command } from 'commander';
import { addJsonOption } from '../client-options.js';
import { finishGroup } from '../command-group.js';
import { note, printJson, println } from '../output.js';
import { DEFAULT_KEY_DIR, KEY_FILE_NAME, writeNewKey } from '../signing-files.js';

interface KeysCreateFlags {
  out: string;
  force?: boolean;
  json?: boolean;
}

export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .summary('manage module signing keys')
    .description('Manage the Ed25519 keys that sign modules (see `anygrid sign`).');
  const create = keys
    .command('create')
    .summary('create a signing key pair')
    .description(
      `Create an Ed25519 key pair: DIR/${KEY_FILE_NAME} (private, mode 600) and ` +
        `DIR/${KEY_FILE_NAME}.pub. Prints the public key (ed25519:<base64url>) only.`,
    )
    .option('--out <dir>', 'directory of the key files', DEFAULT_KEY_DIR)
    .option('--force', 'replace a key already there')
    .addHelpText(
      'after',
      '\nThen sign a module and submit it signed:\n' +
        '  anygrid sign examples/prime.wasm                 # writes examples/prime.wasm.sig\n' +
        '  anygrid submit examples/prime.wasm --signature examples/prime.wasm.sig -- 0 1000\n' +
        'and let providers run only what it signed:\n' +
        '  anygrid provide --trust-key ed25519:... --require-signed --no-pin-publishers',
    );
  addJsonOption(create).action((flags: KeysCreateFlags) => createKeys(flags));
  finishGroup(keys);
}

async function createKeys(flags: KeysCreateFlags): Promise<void> {
  const made = await writeNewKey(join(flags.out, KEY_FILE_NAME), flags.force ?? false);
  if (flags.json) {
    printJson(made);
    return;
  }
  println(made.publicKey);
  note(`private key in ${made.keyFile} (keep it secret), public key in ${made.publicKeyFile}`);
}
