/**
 * @module
 * Ed25519 keys and module signatures with Node's built-in `node:crypto`: create a key
 * pair, sign a module's content address, verify a signature. The formats (what is
 * signed, how keys and signatures are written) are in `module-signature.ts`; this file
 * only does the arithmetic, for the CLI, the agent and the coordinator alike.
 */

import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import {
  isPublicKeyText,
  type ModuleSignature,
  PUBLIC_KEY_PREFIX,
  signedMessage,
} from '../module-signature.js';

/** A new signing key: its private half as PKCS#8 PEM (keep it secret) and its public text. */
export interface SigningKeyPair {
  readonly privateKeyPem: string;
  readonly publicKey: string;
}

/** Creates a new Ed25519 key pair. */
export function createSigningKey(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKeyText(publicKey),
  };
}

/** The public key text (`ed25519:<base64url>`) of a private key in PEM; throws for a key that is not Ed25519. */
export function publicKeyOf(privateKeyPem: string): string {
  return publicKeyText(createPublicKey(privateKeyOf(privateKeyPem)));
}

/**
 * The signature of a module whose bytes hash to `moduleHash`, made with the Ed25519
 * private key `privateKeyPem`, naming `publisher` when given.
 */
export function signModuleHash(
  moduleHash: string,
  privateKeyPem: string,
  publisher?: string,
): ModuleSignature {
  const key = privateKeyOf(privateKeyPem);
  const signature = sign(null, Buffer.from(signedMessage(moduleHash)), key).toString('base64url');
  return {
    publicKey: publicKeyText(createPublicKey(key)),
    signature,
    ...(publisher === undefined ? {} : { publisher }),
  };
}

/** Whether `sig` is its key's valid signature of the module whose bytes hash to `moduleHash`. */
export function verifyModuleSignature(moduleHash: string, sig: ModuleSignature): boolean {
  // Untrusted input: a key or signature of the wrong shape is a refusal, never a throw.
  if (!isPublicKeyText(sig.publicKey)) return false;
  try {
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: sig.publicKey.slice(PUBLIC_KEY_PREFIX.length) },
      format: 'jwk',
    });
    const bytes = Buffer.from(sig.signature, 'base64url');
    if (bytes.byteLength !== 64) return false;
    return verify(null, Buffer.from(signedMessage(moduleHash)), key, bytes);
  } catch {
    return false;
  }
}

function privateKeyOf(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`the key is ${key.asymmetricKeyType ?? 'not asymmetric'}, not Ed25519`);
  }
  return key;
}

function publicKeyText(key: KeyObject): string {
  const { x } = key.export({ format: 'jwk' });
  return `${PUBLIC_KEY_PREFIX}${x}`;
}
