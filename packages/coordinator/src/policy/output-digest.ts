/**
 * @module
 * What "byte-equal outputs" means: replicas agree when their exit code, stdout and
 * output files hash the same. Stderr is left out, as programs put diagnostics there.
 */

import { hash } from 'node:crypto';
import type { OutputRef } from '@anygrid/protocol';

const HEX = /^[0-9a-f]*$/;

export interface OutputSummary {
  readonly exitCode: number | null;
  readonly stdout: Pick<OutputRef, 'hash'> | null;
  readonly files: Readonly<Record<string, Pick<OutputRef, 'hash'>>>;
}

export function outputDigest(output: OutputSummary): string {
  const stdout = output.stdout?.hash ?? null;
  // Without files, the canonical text is written directly: the same bytes as the
  // general case below (an integer or null, a lowercase-hex hash or null, no names to
  // escape), without building and serialising arrays for every report.
  let empty = true;
  for (const _ in output.files) empty = false;
  const exit = output.exitCode;
  if (empty && (exit === null || Number.isSafeInteger(exit)) && HEX.test(stdout ?? '')) {
    const text = `[${exit},${stdout === null ? 'null' : `"${stdout}"`},[]]`;
    return hash('sha256', text, 'hex');
  }
  const files = Object.keys(output.files)
    .sort()
    .map((name) => [name, output.files[name]?.hash]);
  const canonical = JSON.stringify([output.exitCode, output.stdout?.hash ?? null, files]);
  return hash('sha256', canonical, 'hex');
}
