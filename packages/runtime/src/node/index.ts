/**
 * @module @anygrid/runtime/node — the sandbox for Node hosts (the provider agent).
 */
export { NodeSandbox } from './node-sandbox.js';
