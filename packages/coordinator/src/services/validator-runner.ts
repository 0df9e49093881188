/**
 * @module
 * Runs a requester's validator module in the same WASI sandbox providers use
 * (`@anygrid/runtime`), in a worker thread: a loop is stopped by the wall-time limit
 * (the worker is terminated), memory is capped at the module, and a trap or crash
 * ends the run, never the coordinator. The sandbox starts with the first validator
 * job and keeps one worker, so validators never crowd out the coordinator's own work.
 *
 * The module sees a preopened directory `/candidates` holding, for each candidate n,
 * `/candidates/n/stdout` and `/candidates/n/files/NAME` (absent outputs are absent
 * files); its arguments are the candidate directories, `/candidates/0` first. It
 * answers on stdout (validator-answer.ts).
 */

import type { ValidatorCompare } from '@anygrid/protocol';
import type { RunResult } from '@anygrid/runtime';
import { NodeSandbox } from '@anygrid/runtime/node';
import type { BlobStore } from '../blobs/blob-store.js';
import { MAX_VALIDATOR_ANSWER_BYTES } from '../policy/index.js';
import type { StoredOutputs } from '../store/rows.js';
import { ComparisonError } from './comparison-error.js';
import { outputBytes } from './output-bytes.js';

/** The guest path of the candidates' directory. */
export const CANDIDATES_DIR = '/candidates';

export class ValidatorRunner {
  private sandbox: NodeSandbox | undefined;

  constructor(private readonly blobs: BlobStore) {}

  /** Runs the validator over the candidates; a guest failure is a result, not a throw. */
  async run(spec: ValidatorCompare, candidates: readonly StoredOutputs[]): Promise<RunResult> {
    const bytes = await this.blobs.read(spec.module.hash);
    if (bytes === null) throw new ComparisonError(`validator module ${spec.module.hash} is gone`);
    this.sandbox ??= new NodeSandbox({ maxWorkers: 1, workerHeapMb: 256 });
    const module = await this.sandbox.compile(bytes, spec.memoryBytes);
    const files: Record<string, Uint8Array> = {};
    for (const [n, c] of candidates.entries()) {
      const stdout = await outputBytes(this.blobs, c.stdout);
      if (stdout !== null) files[`${n}/stdout`] = stdout;
      for (const [name, ref] of Object.entries(c.files)) {
        files[`${n}/files/${name}`] = (await outputBytes(this.blobs, ref)) as Uint8Array;
      }
    }
    return this.sandbox.run(module, {
      program: 'validator',
      args: candidates.map((_, n) => `${CANDIDATES_DIR}/${n}`),
      dirs: { [CANDIDATES_DIR]: files },
      limits: {
        memoryBytes: spec.memoryBytes,
        wallTimeMs: spec.timeoutMs,
        // Room for the answer and some diagnostics on stderr; more is garbage anyway.
        outputBytes: MAX_VALIDATOR_ANSWER_BYTES + 64 * 1024,
      },
    });
  }

  async close(): Promise<void> {
    await this.sandbox?.close();
  }
}
