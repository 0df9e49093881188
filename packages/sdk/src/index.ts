/**
 * @module
 * `@anygrid/sdk`: submit work to an Anygrid coordinator and stream verified results back.
 * Browser-safe: it uses the global `fetch` and WebCrypto only.
 *
 * ```ts
 * const grid = new Anygrid();
 * const job = await grid.submit({ module: 'prime.wasm', tasks: [{ args: ['0', '1000'] }] });
 * for await (const r of job.results()) console.log(r.index, r.stdout);
 * ```
 */

/**
 * Errors a coordinator answers are rebuilt as these classes (the whole set is in
 * `@anygrid/protocol`): `err instanceof JobPurgedError` tells a job whose results the
 * coordinator's retention deleted from one that never existed (`NOT_FOUND`).
 */
export { AnygridError, JobPurgedError } from '@anygrid/protocol';
export {
  Anygrid,
  type AnygridOptions,
  DEFAULT_URL,
  type QuoteOptions,
  type SubmitStats,
} from './anygrid.js';
export { CoordinatorUnreachableError } from './coordinator-unreachable-error.js';
export { Job, type PageOptions, type ResultsOptions, type WaitOptions } from './job.js';
export type { JobResult } from './job-result.js';
export type { RetryNotice, RetryPolicy } from './retry.js';
export type {
  SubmitCompare,
  SubmitOptions,
  TaskInput,
  VariantInput,
} from './submit-options.js';
