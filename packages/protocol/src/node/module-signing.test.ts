import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isPublicKeyText } from '../module-signature.js';
import {
  createSigningKey,
  publicKeyOf,
  signModuleHash,
  verifyModuleSignature,
} from './module-signing.js';

const HASH = 'c0'.repeat(32);

describe('module signing with node:crypto', () => {
  it('signs a module hash so that it verifies under the key, in the wire encoding', () => {
    const { privateKeyPem, publicKey } = createSigningKey();
    expect(isPublicKeyText(publicKey)).toBe(true);
    expect(publicKeyOf(privateKeyPem)).toBe(publicKey);
    const sig = signModuleHash(HASH, privateKeyPem, 'acme');
    expect(sig).toMatchObject({ publicKey, publisher: 'acme' });
    expect(sig.signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(verifyModuleSignature(HASH, sig)).toBe(true);
  });

  it('does not verify for another module, another key or a changed signature', () => {
    const a = createSigningKey();
    const b = createSigningKey();
    const sig = signModuleHash(HASH, a.privateKeyPem);
    expect(verifyModuleSignature('c1'.repeat(32), sig)).toBe(false);
    expect(verifyModuleSignature(HASH, { ...sig, publicKey: b.publicKey })).toBe(false);
    const flipped = `${sig.signature[0] === 'A' ? 'B' : 'A'}${sig.signature.slice(1)}`;
    expect(verifyModuleSignature(HASH, { ...sig, signature: flipped })).toBe(false);
  });

  it('answers false, never throws, for keys and signatures of the wrong shape', () => {
    const sig = signModuleHash(HASH, createSigningKey().privateKeyPem);
    expect(verifyModuleSignature(HASH, { ...sig, publicKey: 'ed25519:short' })).toBe(false);
    expect(verifyModuleSignature(HASH, { ...sig, signature: 'AAAA' })).toBe(false);
    // A valid encoding of 32 bytes that is not a point on the curve.
    expect(verifyModuleSignature(HASH, { ...sig, publicKey: `ed25519:${'_'.repeat(42)}8` })).toBe(
      false,
    );
  });

  it('refuses to sign with a key that is not Ed25519', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => signModuleHash(HASH, pem)).toThrow(/not Ed25519/);
  });
});
