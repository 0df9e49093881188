/**
 * @module
 * Which NVIDIA GPUs this device has, as `nvidia-smi` lists them, for the `accelerators`
 * a host declares. Most devices have no such GPU and no `nvidia-smi`: an absent binary, a
 * driver that does not answer, or output this parser does not understand all mean no
 * accelerator, never a failed agent start.
 */

import { execFile } from 'node:child_process';
import type { Accelerator } from '@anygrid/protocol';

/** The query: one line per GPU, `name, memory in MiB`. */
export const NVIDIA_SMI_ARGS = [
  '--query-gpu=name,memory.total',
  '--format=csv,noheader,nounits',
] as const;

/** How long `nvidia-smi` may take; a hung driver must not hold the agent's start. */
const PROBE_TIMEOUT_MS = 3000;

/** Most accelerators a registration carries (protocol host.ts). */
const MAX_ACCELERATORS = 16;

/**
 * The GPUs in `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits`
 * output, e.g. `NVIDIA GeForce RTX 3090, 24576`. The memory is the last field (a name
 * may hold a comma); `[N/A]` or another non-number leaves it out. Lines that are not a
 * GPU (blank, error text without a comma) are skipped.
 */
export function parseNvidiaSmi(output: string): Accelerator[] {
  const gpus: Accelerator[] = [];
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trim();
    const comma = line.lastIndexOf(',');
    if (comma <= 0) continue;
    const name = line.slice(0, comma).trim().slice(0, 200);
    if (name === '') continue;
    const mib = Number(line.slice(comma + 1).trim());
    const gpu: Accelerator = { kind: 'cuda', name };
    if (line.slice(comma + 1).trim() !== '' && Number.isFinite(mib) && mib >= 0) {
      gpu.memoryBytes = Math.round(mib) * 1024 * 1024;
    }
    gpus.push(gpu);
    if (gpus.length === MAX_ACCELERATORS) break;
  }
  return gpus;
}

/** Runs a program and resolves with its stdout; rejects when it cannot run or fails. */
export type RunProgram = (file: string, args: readonly string[]) => Promise<string>;

const runProgram: RunProgram = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      { timeout: PROBE_TIMEOUT_MS, maxBuffer: 64 * 1024, windowsHide: true },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
  });

/** This device's NVIDIA GPUs; none when `nvidia-smi` is absent or fails. Never rejects. */
export async function probeNvidiaGpus(run: RunProgram = runProgram): Promise<Accelerator[]> {
  try {
    return parseNvidiaSmi(await run('nvidia-smi', NVIDIA_SMI_ARGS));
  } catch {
    return [];
  }
}
