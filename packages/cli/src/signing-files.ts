/**
 * @module
 * The files of module signing: a private key (PKCS#8 PEM, mode 600) and its public key
 * text beside it (`.pub`), and a signature file (`MODULE.sig`: the JSON of a
 * `ModuleSignature`). Every read names the file when it fails, and a signature file is
 * checked against the protocol's schema before it is sent anywhere.
 */

import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ModuleSignature } from '@anygrid/protocol';
import { createSigningKey, publicKeyOf } from '@anygrid/protocol/node';
import { CliError } from './cli-error.js';

/** Name of the private key file `anygrid keys create` writes; `.pub` beside it holds the public key. */
export const KEY_FILE_NAME = 'signing.key';

/** Default directory of the signing key: the local coordinator's data directory. */
export const DEFAULT_KEY_DIR = '.anygrid';

/** Creates a key pair: `path` (mode 600) and `path.pub`; refuses to overwrite a key unless `force`. */
export async function writeNewKey(
  path: string,
  force: boolean,
): Promise<{ publicKey: string; keyFile: string; publicKeyFile: string }> {
  const { privateKeyPem, publicKey } = createSigningKey();
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    await writeFile(path, privateKeyPem, { mode: 0o600, flag: force ? 'w' : 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CliError(
        'EEXIST',
        `${path} already exists; a key is not replaced by accident`,
        'pass --force to replace it (modules signed with it will no longer verify under the new key), or --out DIR',
      );
    }
    throw fileError(err, path, 'write');
  }
  // A key file that existed before keeps its old mode through writeFile: set it.
  await chmod(path, 0o600);
  const publicKeyFile = `${path}.pub`;
  await writeFile(publicKeyFile, `${publicKey}\n`);
  return { publicKey, keyFile: path, publicKeyFile };
}

/** The private key in `path` (PEM), with its public key; a clear error for anything else. */
export async function readKey(path: string): Promise<{ privateKeyPem: string; publicKey: string }> {
  const privateKeyPem = await readFile(path, 'utf8').catch((err: unknown) => {
    throw fileError(err, path, 'read', 'create one with `anygrid keys create`');
  });
  try {
    return { privateKeyPem, publicKey: publicKeyOf(privateKeyPem) };
  } catch (err) {
    throw new CliError(
      'BAD_KEY',
      `${path} is not an Ed25519 private key in PEM (${(err as Error).message})`,
      'create one with `anygrid keys create`',
    );
  }
}

/** The signature in a `.sig` file, checked against the protocol. */
export async function readSignature(path: string): Promise<ModuleSignature> {
  const text = await readFile(path, 'utf8').catch((err: unknown) => {
    throw fileError(err, path, 'read', 'make one with `anygrid sign MODULE`');
  });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  const parsed = ModuleSignature.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(
      'BAD_SIGNATURE_FILE',
      `${path} is not a module signature: ${issue?.path.join('.') || 'file'} ${issue?.message ?? ''}`.trim(),
      'make one with `anygrid sign MODULE`',
    );
  }
  return parsed.data;
}

/** Trusted keys from a file: one `ed25519:…` per line; blank lines and `#` comments skipped. */
export async function readKeyList(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch((err: unknown) => {
    throw fileError(err, path, 'read');
  });
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');
}

function fileError(err: unknown, path: string, verb: string, hint?: string): CliError {
  const code = (err as { code?: string }).code ?? 'EIO';
  return new CliError(code, `cannot ${verb} ${path}`, hint ?? 'check the path and its permissions');
}
