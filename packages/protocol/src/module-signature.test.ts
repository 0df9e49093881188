import { describe, expect, it } from 'vitest';
import {
  isPublicKeyText,
  ModuleSignature,
  PublicKeyText,
  PublisherName,
  SignatureText,
  signedMessage,
} from './module-signature.js';

const KEY = `ed25519:${'A'.repeat(42)}E`;
const SIG = `${'x'.repeat(85)}g`;

describe('module signature encoding', () => {
  it('signs the text naming the module by its sha256, with a version prefix', () => {
    expect(signedMessage('ab'.repeat(32))).toBe(`anygrid-module-v1 sha256:${'ab'.repeat(32)}`);
  });

  it('accepts a 32-byte key in canonical base64url after ed25519:', () => {
    expect(isPublicKeyText(KEY)).toBe(true);
    expect(PublicKeyText.safeParse(KEY).success).toBe(true);
  });

  it('refuses keys of another length, kind, alphabet or a non-canonical last character', () => {
    for (const bad of [
      `ed25519:${'A'.repeat(42)}`, // 31.5 bytes
      `ed25519:${'A'.repeat(44)}`,
      `ed25519:${'A'.repeat(42)}B`, // low bits set: a second spelling of some key
      `ed25519:${'A'.repeat(42)}=`,
      `ed25519:${'+'.repeat(42)}A`, // base64, not base64url
      `ED25519:${'A'.repeat(43)}`,
      `rsa:${'A'.repeat(43)}`,
      'A'.repeat(43),
    ]) {
      expect({ bad, ok: isPublicKeyText(bad) }).toEqual({ bad, ok: false });
    }
  });

  it('accepts a 64-byte signature in canonical base64url and refuses others', () => {
    expect(SignatureText.safeParse(SIG).success).toBe(true);
    for (const bad of [
      'x'.repeat(86),
      'x'.repeat(85),
      `${'x'.repeat(85)}g=`,
      `${'/'.repeat(85)}A`,
    ]) {
      expect({ bad, ok: SignatureText.safeParse(bad).success }).toEqual({ bad, ok: false });
    }
  });

  it('takes a publisher name of letters, digits and . _ @ - only', () => {
    for (const good of ['acme', 'acme.org', 'team_7@acme-labs']) {
      expect(PublisherName.safeParse(good).success).toBe(true);
    }
    for (const bad of ['', '.acme', 'a b', 'a/b', 'é', 'x'.repeat(101)]) {
      expect({ bad, ok: PublisherName.safeParse(bad).success }).toEqual({ bad, ok: false });
    }
  });

  it('is a strict object: key and signature required, publisher optional, nothing else', () => {
    expect(ModuleSignature.safeParse({ publicKey: KEY, signature: SIG }).success).toBe(true);
    expect(
      ModuleSignature.safeParse({ publicKey: KEY, signature: SIG, publisher: 'acme' }).success,
    ).toBe(true);
    expect(ModuleSignature.safeParse({ publicKey: KEY }).success).toBe(false);
    expect(ModuleSignature.safeParse({ publicKey: KEY, signature: SIG, extra: 1 }).success).toBe(
      false,
    );
  });
});
