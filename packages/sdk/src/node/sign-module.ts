/**
 * @module
 * `submit`'s `signWith` in Node: signs the module's hash with a private key in PEM,
 * through `@anygrid/protocol/node` (Node's own Ed25519). Loaded only when asked for,
 * so browsers never see it.
 */

import { InvalidRequestError, type ModuleSignature } from '@anygrid/protocol';
import { signModuleHash } from '@anygrid/protocol/node';

export function signWith(
  moduleHash: string,
  privateKeyPem: string,
  publisher?: string,
): ModuleSignature {
  try {
    return signModuleHash(moduleHash, privateKeyPem, publisher);
  } catch (err) {
    throw new InvalidRequestError(
      `signWith: the private key is not an Ed25519 key in PEM (${(err as Error).message}).`,
    );
  }
}
