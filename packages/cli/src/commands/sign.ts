/**
 * @module
 * `anygrid sign MODULE [--key FILE] [--publisher NAME]`: signs a module with an Ed25519
 * key. What is signed is the module's content address, the UTF-8 text
 * `anygrid-module-v1 sha256:<hex>` (docs/protocol.md), so the signature holds for these
 * exact bytes wherever they are uploaded. Writes MODULE.sig (JSON: publicKey, signature,
 * publisher), or prints it with `--out -`.
 */

import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PublisherName } from '@anygrid/protocol';
import { signModuleHash } from '@anygrid/protocol/node';
import type { Command } from 'commander';
import { CliError, usageError } from '../cli-error.js';
import { addJsonOption } from '../client-options.js';
import { note, printJson, println } from '../output.js';
import { DEFAULT_KEY_DIR, KEY_FILE_NAME, readKey } from '../signing-files.js';
import { readInput } from '../task-inputs.js';

interface SignFlags {
  key: string;
  publisher?: string;
  out?: string;
  json?: boolean;
}

export function registerSign(program: Command): void {
  const cmd = program
    .command('sign')
    .summary('sign a module for providers to verify')
    .description(
      "Sign MODULE's sha256 content hash with an Ed25519 private key. Writes MODULE.sig " +
        '(or --out FILE; --out - prints it), which `anygrid submit --signature` sends with the job.',
    )
    .argument('<module>', 'path of the wasm32-wasi module')
    .option('--key <file>', 'private key file', join(DEFAULT_KEY_DIR, KEY_FILE_NAME))
    .option(
      '--publisher <name>',
      'publisher name to claim; providers pin it to this key at first use',
    )
    .option('--out <file>', 'signature file to write (default MODULE.sig; - prints it)')
    .addHelpText(
      'after',
      '\nWhat is signed: the UTF-8 text "anygrid-module-v1 sha256:<hex sha256 of MODULE>".\n' +
        '\nExample:\n' +
        '  anygrid keys create && anygrid sign examples/prime.wasm --publisher acme\n' +
        '  anygrid submit examples/prime.wasm --signature examples/prime.wasm.sig -- 0 1000',
    );
  addJsonOption(cmd).action((module: string, flags: SignFlags) => sign(module, flags));
}

async function sign(modulePath: string, flags: SignFlags): Promise<void> {
  if (flags.publisher !== undefined && !PublisherName.safeParse(flags.publisher).success) {
    throw usageError('--publisher must be letters, digits and . _ @ - (at most 100)', 'sign');
  }
  const { privateKeyPem } = await readKey(flags.key);
  const moduleHash = createHash('sha256')
    .update(await readInput(modulePath))
    .digest('hex');
  let signature: ReturnType<typeof signModuleHash>;
  try {
    signature = signModuleHash(moduleHash, privateKeyPem, flags.publisher);
  } catch (err) {
    throw new CliError('BAD_KEY', `cannot sign with ${flags.key}: ${(err as Error).message}`);
  }
  const text = `${JSON.stringify(signature, null, 2)}\n`;
  const out = flags.out ?? `${modulePath}.sig`;
  if (out !== '-') await writeFile(out, text);
  if (flags.json) {
    printJson({
      module: modulePath,
      moduleHash,
      ...(out === '-' ? {} : { file: out }),
      ...signature,
    });
    return;
  }
  if (out === '-') {
    println(text.trimEnd());
    return;
  }
  println(out);
  note(`signed sha256:${moduleHash} with ${signature.publicKey}`);
}
