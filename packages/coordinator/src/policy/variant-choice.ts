/**
 * @module
 * Which build of a job's program a host runs (docs/variants.md). A job with native
 * variants offers each host those it may run — its platform's, when the host offers the
 * `native` runtime, has the accelerator a GPU variant needs and meets the variant's
 * requirements — and always the wasm module. Among them the one expected fastest: a
 * native variant not measured yet first (native code is nearly always faster, and a
 * measurement is how to find out), then the least mean run time measured so far; the wasm
 * module when its own mean is lower. Means are per variant over every host that ran it,
 * so a variant run mostly by slow hosts looks slower than it is: good enough to tell a
 * native build from the wasm module, which differ by far more than hosts do.
 *
 * Replicas of one task run one variant unless the job allows mixing (`mixedVariants`):
 * `pinnedChoice` keeps a task on the variant its running or reported replicas run.
 */

import { type VariantRequirements, WASM_VARIANT } from '@anygrid/protocol';

/** A variant as the choice sees it. */
export interface VariantOption {
  /** `variantKey`: `wasm32-wasi`, `linux-x64`, `linux-x64+cuda`. */
  readonly key: string;
  readonly platform: string;
  readonly gpu?: string;
  readonly requirements?: VariantRequirements;
}

/** What the choice needs to know of a host. */
export interface VariantHost {
  readonly platform: string;
  /** The host offers the `native` runtime (an agent started with `--allow-native`). */
  readonly native: boolean;
  readonly cores: number;
  readonly memoryBytes: number;
  /** Accelerator classes the host has (`cuda`); absent: none known. */
  readonly accelerators?: readonly string[];
}

/** A variant's reported run times: their sum and count. */
export interface VariantRuns {
  readonly ms: number;
  readonly n: number;
}

/** Whether the host may run the variant. The wasm module runs everywhere. */
export function mayRunVariant(v: VariantOption, host: VariantHost): boolean {
  if (v.key === WASM_VARIANT) return true;
  if (!host.native || host.platform !== v.platform) return false;
  if (v.gpu !== undefined && !(host.accelerators ?? []).includes(v.gpu)) return false;
  const r = v.requirements;
  if (r?.minCores !== undefined && host.cores < r.minCores) return false;
  if (r?.minMemoryBytes !== undefined && host.memoryBytes < r.minMemoryBytes) return false;
  return true;
}

/**
 * The variant expected fastest on this host, among `options` (the job's, wasm included);
 * `runs` by variant key. The wasm variant when nothing else may run here.
 */
export function chooseVariant(
  options: readonly VariantOption[],
  host: VariantHost,
  runs: ReadonlyMap<string, VariantRuns>,
): VariantOption {
  let wasm: VariantOption | undefined;
  let best: VariantOption | undefined;
  let bestMean = Number.POSITIVE_INFINITY;
  for (const v of options) {
    if (v.key === WASM_VARIANT) {
      wasm = v;
      continue;
    }
    if (!mayRunVariant(v, host)) continue;
    const mean = meanOf(runs.get(v.key));
    // Unmeasured: try it; a measurement is the only way to learn it is faster.
    if (mean === undefined) return v;
    if (mean < bestMean) {
      best = v;
      bestMean = mean;
    }
  }
  if (wasm === undefined) throw new Error('a job with variants always has its wasm module');
  if (best === undefined) return wasm;
  const wasmMean = meanOf(runs.get(WASM_VARIANT));
  return wasmMean !== undefined && wasmMean < bestMean ? wasm : best;
}

/**
 * The variant a replica of a task runs, when the task's other replicas already run
 * `pinned` (their key; undefined when none runs or reported yet): that one, or null when
 * this host may not run it (the replica waits for a host that may). Without a pin, as
 * `chooseVariant`.
 */
export function pinnedChoice(
  options: readonly VariantOption[],
  host: VariantHost,
  runs: ReadonlyMap<string, VariantRuns>,
  pinned: string | undefined,
): VariantOption | null {
  if (pinned === undefined) return chooseVariant(options, host, runs);
  const v = options.find((o) => o.key === pinned);
  if (v === undefined) return chooseVariant(options, host, runs);
  return mayRunVariant(v, host) ? v : null;
}

function meanOf(r: VariantRuns | undefined): number | undefined {
  return r === undefined || r.n === 0 ? undefined : r.ms / r.n;
}
