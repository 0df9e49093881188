/**
 * @module
 * Signed modules: what a publisher signs and how keys and signatures are written on the
 * wire. A publisher signs the module's content address — the UTF-8 text
 * `anygrid-module-v1 sha256:<lowercase hex sha256 of the module bytes>` — with Ed25519,
 * so a signature names exactly one sequence of bytes and the bytes can be checked by
 * hash before anything else. The prefix keeps the signature from meaning anything in
 * another protocol that signs bare hashes with the same key.
 *
 * Keys are written `ed25519:<base64url of the 32-byte public key>` and signatures as the
 * base64url of their 64 bytes, both unpadded and canonical (the unused low bits of the
 * last character are zero), so one key or signature has one spelling. This file is pure
 * (browsers load it too); signing and verifying live in `@anygrid/protocol/node`.
 */

import { z } from 'zod';

/** What a public key's text starts with: the algorithm, so other kinds can follow. */
export const PUBLIC_KEY_PREFIX = 'ed25519:';

/** 32 bytes in unpadded base64url: 43 characters, the last one carrying 2 zero bits. */
const KEY_BASE64URL = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** 64 bytes in unpadded base64url: 86 characters, the last one carrying 4 zero bits. */
const SIGNATURE_BASE64URL = /^[A-Za-z0-9_-]{85}[AQgw]$/;

/** `ed25519:` and the 32-byte Ed25519 public key in canonical unpadded base64url. */
export const PublicKeyText = z
  .string()
  .max(PUBLIC_KEY_PREFIX.length + 43)
  .refine(isPublicKeyText, 'must be ed25519:<43 base64url characters> (a 32-byte Ed25519 key)');
export type PublicKeyText = z.infer<typeof PublicKeyText>;

/** A 64-byte Ed25519 signature in canonical unpadded base64url. */
export const SignatureText = z
  .string()
  .max(86)
  .regex(SIGNATURE_BASE64URL, 'must be 86 base64url characters (a 64-byte Ed25519 signature)');

/**
 * A publisher's name, as agents pin it to a key on first use: letters, digits and
 * `. _ @ -`, starting with a letter or digit.
 */
export const PublisherName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'must be letters, digits and . _ @ - only');

/** A job's module signature: who signed (key, and the publisher name it claims) and the signature. */
export const ModuleSignature = z.strictObject({
  /** The signer's public key, `ed25519:<base64url>`. */
  publicKey: PublicKeyText,
  /** Ed25519 over `signedMessage(module.hash)`, base64url. */
  signature: SignatureText,
  /**
   * The publisher the signer claims to be. An agent that has not been told whom to trust
   * pins this name to the first key it sees sign for it and refuses any other key later.
   */
  publisher: PublisherName.optional(),
});
export type ModuleSignature = z.infer<typeof ModuleSignature>;

/** Whether `text` is a public key as `PublicKeyText` accepts it. */
export function isPublicKeyText(text: string): boolean {
  return (
    text.startsWith(PUBLIC_KEY_PREFIX) && KEY_BASE64URL.test(text.slice(PUBLIC_KEY_PREFIX.length))
  );
}

/** The text a publisher signs for a module whose bytes hash to `moduleHash` (lowercase hex sha256). */
export function signedMessage(moduleHash: string): string {
  return `anygrid-module-v1 sha256:${moduleHash}`;
}
