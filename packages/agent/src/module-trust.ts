/**
 * @module
 * Whether this agent runs a job's module, as a pure decision over what it knows: the
 * job's signature (already checked against the module's hash by the caller), the keys
 * its operator trusts, the key pinned for the publisher the signature names, and
 * whether unsigned modules are welcome. The agent trusts no coordinator: a coordinator
 * that checked the signature at submit may still be lying, broken or compromised.
 *
 * Trust comes from a configured key, or from a publisher pinned at first use (TOFU):
 * the first valid signature naming a publisher pins that name to its key, and a later
 * job claiming the same publisher under another key is refused. A signature that
 * verifies under a key that is neither configured nor pinned proves only that someone
 * signed: such a job runs only where unsigned jobs do.
 */

import type { ModuleSignature } from '@anygrid/protocol';

/** What the operator decided about trust. */
export interface TrustPolicy {
  /** Public keys (`ed25519:…`) whose signatures are trusted whatever publisher they name. */
  readonly trustedKeys: ReadonlySet<string>;
  /** Refuse modules without a trusted signature (default: run unsigned modules, as before signing existed). */
  readonly requireSigned: boolean;
  /** Pin a publisher to the first key seen signing for it, and trust that key for it (default on). */
  readonly pinOnFirstUse: boolean;
}

/** What is known about one job's module when deciding. */
export interface TrustFacts {
  readonly signature: ModuleSignature | undefined;
  /** Whether the signature verifies against its key and the module's hash. */
  readonly signatureValid: boolean;
  /** The key pinned for the signature's publisher, if it names one that is pinned. */
  readonly pinnedKey: string | undefined;
}

/** Run the module (pinning its publisher first, when `pin` is set) or refuse it, saying why. */
export type TrustVerdict =
  | {
      readonly run: true;
      readonly pin?: { readonly publisher: string; readonly publicKey: string };
    }
  | { readonly run: false; readonly message: string };

const RUN: TrustVerdict = { run: true };

export function decideTrust(policy: TrustPolicy, facts: TrustFacts): TrustVerdict {
  const sig = facts.signature;
  if (sig === undefined) {
    return policy.requireSigned
      ? refuse('the module is unsigned and this agent runs only signed modules')
      : RUN;
  }
  if (!facts.signatureValid) {
    return refuse(`the signature by ${sig.publicKey} does not verify for this module's hash`);
  }
  // A key the operator named is trusted for any publisher: configuration beats a pin.
  if (policy.trustedKeys.has(sig.publicKey)) return RUN;
  const { publisher } = sig;
  if (publisher !== undefined && facts.pinnedKey !== undefined) {
    if (facts.pinnedKey === sig.publicKey) return RUN;
    return refuse(
      `publisher ${publisher} is pinned to key ${facts.pinnedKey}, but this module is signed by ${sig.publicKey}`,
    );
  }
  if (publisher !== undefined && policy.pinOnFirstUse) {
    return { run: true, pin: { publisher, publicKey: sig.publicKey } };
  }
  return policy.requireSigned
    ? refuse(`the module is signed by ${sig.publicKey}, a key this agent does not trust`)
    : RUN;
}

function refuse(message: string): TrustVerdict {
  return { run: false, message };
}
