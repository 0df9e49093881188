import type { ModuleSignature } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { decideTrust, type TrustPolicy } from './module-trust.js';

const A = `ed25519:${'A'.repeat(43)}`;
const B = `ed25519:${'B'.repeat(42)}A`;
const SIG = 'Q'.repeat(86);

const open: TrustPolicy = { trustedKeys: new Set(), requireSigned: false, pinOnFirstUse: true };
const strict: TrustPolicy = { ...open, requireSigned: true };

function signed(publicKey: string, publisher?: string): ModuleSignature {
  return { publicKey, signature: SIG, ...(publisher === undefined ? {} : { publisher }) };
}

function facts(signature: ModuleSignature | undefined, pinnedKey?: string, signatureValid = true) {
  return { signature, signatureValid, pinnedKey };
}

describe('decideTrust', () => {
  it('runs unsigned modules by default, as before signing existed', () => {
    expect(decideTrust(open, facts(undefined))).toEqual({ run: true });
  });

  it('refuses unsigned modules when signatures are required', () => {
    expect(decideTrust(strict, facts(undefined))).toMatchObject({ run: false });
  });

  it('refuses a signature that does not verify, whatever the key and the policy', () => {
    const trusting = { ...open, trustedKeys: new Set([A]) };
    for (const policy of [open, strict, trusting]) {
      const verdict = decideTrust(policy, facts(signed(A, 'acme'), A, false));
      expect(verdict).toMatchObject({ run: false, message: expect.stringMatching(/not verify/) });
    }
  });

  it('runs a module signed by a configured key, whatever publisher it names', () => {
    const trusting = { ...strict, trustedKeys: new Set([A]) };
    expect(decideTrust(trusting, facts(signed(A)))).toEqual({ run: true });
    // Configuration beats a pin: the operator said so.
    expect(decideTrust(trusting, facts(signed(A, 'acme'), B))).toEqual({ run: true });
  });

  it('pins a publisher seen for the first time to its key, and runs the module', () => {
    expect(decideTrust(strict, facts(signed(A, 'acme')))).toEqual({
      run: true,
      pin: { publisher: 'acme', publicKey: A },
    });
  });

  it('runs a pinned publisher under its key and refuses it under another', () => {
    expect(decideTrust(strict, facts(signed(A, 'acme'), A))).toEqual({ run: true });
    const other = decideTrust(open, facts(signed(B, 'acme'), A));
    expect(other).toMatchObject({ run: false, message: expect.stringMatching(/pinned to key/) });
  });

  it('without pinning, trusts configured keys only', () => {
    const noPins = { ...strict, pinOnFirstUse: false };
    expect(decideTrust(noPins, facts(signed(A, 'acme')))).toMatchObject({ run: false });
    expect(decideTrust({ ...noPins, requireSigned: false }, facts(signed(A, 'acme')))).toEqual({
      run: true,
    });
  });

  it('treats a valid signature by an unknown key naming no publisher as unsigned', () => {
    expect(decideTrust(open, facts(signed(A)))).toEqual({ run: true });
    expect(decideTrust(strict, facts(signed(A)))).toMatchObject({
      run: false,
      message: expect.stringMatching(/does not trust/),
    });
  });
});
