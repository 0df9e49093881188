/**
 * @module
 * What "byte-equal outputs" means: replicas agree when their exit code, stdout and
 * output files hash the same. Stderr is left out, as programs put diagnostics there.
 */

import { hash } from 'node:crypto';
import type { OutputRef } from '@anygrid/protocol';

export interface OutputSummary {
  readonly exitCode: number | null;
  readonly stdout: Pick<OutputRef, 'hash'> | null;
  readonly files: Readonly<Record<string, Pick<OutputRef, 'hash'>>>;
}

export function outputDigest(output: OutputSummary): string {
  const files = Object.keys(output.files)
    .sort()
    .map((name) => [name, output.files[name]?.hash]);
  const canonical = JSON.stringify([output.exitCode, output.stdout?.hash ?? null, files]);
  return hash('sha256', canonical, 'hex');
}
