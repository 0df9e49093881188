/**
 * @module
 * `@anygrid/protocol`: every type that crosses a process boundary, each defined once as a
 * zod schema, plus the error codes and error classes. It imports nothing of ours.
 */

export * from './account.js';
export * from './compare.js';
export * from './content.js';
export * from './credit.js';
export * from './dashboard.js';
export * from './diagnostics.js';
export * from './error-codes.js';
export * from './errors.js';
export * from './host.js';
export * from './host-view.js';
export * from './job.js';
export * from './ledger.js';
export * from './limits.js';
export * from './locality.js';
export * from './module-signature.js';
export * from './pricing.js';
export * from './quote.js';
export * from './requirements.js';
export * from './shape-checks.js';
export * from './stream.js';
export * from './task-argv.js';
export * from './task-graph.js';
export * from './task-view.js';
export * from './validation.js';
export * from './variant.js';
export * from './volunteer.js';
export * from './work.js';
