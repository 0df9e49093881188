/**
 * @module
 * `submit`'s comparator options (`--compare`, tolerances, the numeric source and format,
 * `--validator`) and the `compare` policy they make. Inconsistent combinations are usage
 * errors here rather than a 400 after the upload.
 */

import { NumericFormat } from '@anygrid/protocol';
import type { SubmitCompare } from '@anygrid/sdk';
import { type Command, Option } from 'commander';
import { usageError } from './cli-error.js';
import { intOption, numberOption } from './options.js';
import { readInput } from './task-inputs.js';

export interface CompareFlags {
  compare?: 'exact' | 'numeric' | 'validator';
  absTol?: number;
  relTol?: number;
  compareFile?: string;
  compareFormat?: NumericFormat;
  validator?: string;
  validatorTimeout?: number;
  validatorMemory?: number;
}

export function addCompareOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--compare <kind>', 'how replicas are compared (default exact)').choices([
        'exact',
        'numeric',
        'validator',
      ]),
    )
    .option('--abs-tol <x>', 'numeric: absolute tolerance (default 0)', numberOption(0))
    .option('--rel-tol <x>', 'numeric: relative tolerance (default 1e-9)', numberOption(0))
    .option('--compare-file <name>', 'numeric: compare this output file, not stdout')
    .addOption(
      new Option(
        '--compare-format <format>',
        'numeric: how the numbers are stored (default json)',
      ).choices(NumericFormat.options),
    )
    .option('--validator <module>', 'a wasm32-wasi module that decides which outputs agree')
    .option('--validator-timeout <ms>', 'validator: wall-time limit per run', intOption(10, 60_000))
    .option('--validator-memory <MB>', 'validator: memory limit in MiB', intOption(1, 1024));
}

export const COMPARE_HELP =
  '\nComparing replicas (with --redundancy 2 or more):\n' +
  '  default                 outputs agree when their bytes do (exit code, stdout, files)\n' +
  '  --compare numeric       numbers may differ within --abs-tol/--rel-tol: in stdout or\n' +
  '                          --compare-file NAME, as JSON text or raw little-endian\n' +
  '                          --compare-format float32|float64; everything else stays exact\n' +
  '  --validator MODULE      MODULE (wasm32-wasi) runs on the coordinator with the\n' +
  '                          candidates in /candidates/N/stdout and /candidates/N/files/NAME,\n' +
  '                          argv the candidate directories, and prints a JSON array of the\n' +
  '                          indexes agreeing with candidate 0 (docs/validation.md)\n' +
  '  anygrid submit sim.wasm --redundancy 2 --compare numeric --rel-tol 1e-6 \\\n' +
  '      --compare-file out.bin --compare-format float64 -- 42\n' +
  '  anygrid submit sort.wasm --redundancy 2 --validator samelines.wasm --inputs data/\n';

const NUMERIC_ONLY = ['absTol', 'relTol', 'compareFile', 'compareFormat'] as const;
const VALIDATOR_ONLY = ['validatorTimeout', 'validatorMemory'] as const;

/** The `compare` policy the flags ask for, with the validator module read; undefined: exact. */
export async function compareOf(flags: CompareFlags): Promise<SubmitCompare | undefined> {
  const kind = flags.compare ?? (flags.validator !== undefined ? 'validator' : undefined);
  const stray = (names: readonly (keyof CompareFlags)[], want: string) => {
    const given = names.find((n) => flags[n] !== undefined);
    if (given) throw usageError(`--${dashed(given)} needs --compare ${want}`, 'submit');
  };
  if (kind !== 'numeric') stray(NUMERIC_ONLY, 'numeric');
  if (kind !== 'validator') stray([...VALIDATOR_ONLY, 'validator'], 'validator');
  if (kind === 'numeric') {
    return {
      kind,
      ...(flags.absTol === undefined ? {} : { absTol: flags.absTol }),
      ...(flags.relTol === undefined ? {} : { relTol: flags.relTol }),
      source: flags.compareFile === undefined ? 'stdout' : { file: flags.compareFile },
      format: flags.compareFormat ?? 'json',
    };
  }
  if (kind === 'validator') {
    if (flags.validator === undefined) {
      throw usageError('--compare validator needs --validator MODULE', 'submit');
    }
    return {
      kind,
      module: await readInput(flags.validator),
      ...(flags.validatorTimeout === undefined ? {} : { timeoutMs: flags.validatorTimeout }),
      ...(flags.validatorMemory === undefined
        ? {}
        : { memoryBytes: flags.validatorMemory * 1024 * 1024 }),
    };
  }
  return kind === 'exact' ? { kind } : undefined;
}

function dashed(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
