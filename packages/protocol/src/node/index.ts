/**
 * @module
 * `@anygrid/protocol/node`: the parts of the protocol that need Node's built-ins —
 * Ed25519 signing and verification of modules with `node:crypto`. Browsers load
 * `@anygrid/protocol` without it.
 */

export * from './module-signing.js';
