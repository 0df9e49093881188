/**
 * @module
 * What `grid.submit()` accepts and how it becomes a `CreateJobRequest`: inputs given as
 * text or bytes are uploaded (once per distinct content) and replaced by their `BlobRef`s,
 * and the policy is checked against the protocol schema before anything is uploaded, so
 * a typo fails in milliseconds rather than after a 100 MB upload.
 */

import {
  type BlobRef,
  type CompareInput,
  type CreateJobRequestInput,
  InvalidRequestError,
  JobPolicyInput,
  type JobPricingInput,
  type JobRequirements,
  type JobVariant,
  type ModuleSignature,
  type RunLimitsWire,
  type TaskSpecInput,
  type ValidationModeInput,
} from '@anygrid/protocol';
import type { BlobUploader } from './blob-uploader.js';
import { toBytes } from './bytes.js';
import { argv0Of, isPlain, plainSpec } from './job-check.js';

/** One task: argv, environment, stdin and input files (text is sent as UTF-8). */
export interface TaskInput {
  /** argv[1..]; numbers are turned into strings. */
  readonly args?: readonly (string | number)[];
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: string | Uint8Array;
  /** Files placed in the task's directory, by relative path. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /**
   * Indexes in `tasks` of the tasks whose validated outputs this one needs. It runs once
   * they are all valid and finds their outputs in its directory as
   * `parents/<index>/stdout` and `parents/<index>/files/<name>`; if one of them fails,
   * so does this task (error code `parent_failed`). No cycles.
   */
  readonly dependsOn?: readonly number[];
}

/**
 * How replicas' outputs are compared (see `compare` in the job policy): `exact` by
 * default; a validator's module may be given like the job's own (path or URL, bytes,
 * or an uploaded blob) and is uploaded with it.
 */
export type SubmitCompare =
  | Exclude<CompareInput, { kind: 'validator' }>
  | (Omit<Extract<CompareInput, { kind: 'validator' }>, 'module'> & {
      readonly module: string | Uint8Array | BlobRef;
    });

/** Everything `grid.submit()` accepts. */
export interface SubmitOptions {
  /** A path (Node) or URL (browser) of a wasm32-wasi module, its bytes, or an uploaded blob. */
  readonly module: string | Uint8Array | BlobRef;
  readonly tasks: readonly TaskInput[];
  readonly name?: string;
  /**
   * argv[0] of every task: multicall programs (busybox style) dispatch on it. Default:
   * the module's file name when `module` is a path or URL, else `main.wasm`.
   */
  readonly argv0?: string;
  /** Replicas created at first (default 1). */
  readonly redundancy?: number;
  /** Byte-equal outputs needed to accept a result (default: majority of redundancy). */
  readonly quorum?: number;
  /** Failed replicas tolerated before a task fails. */
  readonly maxErrors?: number;
  /** Replicas a task may ever have. */
  readonly maxTotal?: number;
  /** Time a provider has for one replica. */
  readonly deadlineMs?: number;
  /** Higher runs first, -100..100. */
  readonly priority?: number;
  readonly limits?: Partial<RunLimitsWire>;
  /**
   * The publisher's signature of the module (`anygrid sign MODULE --json` prints one).
   * Agents verify it and run the module only under a key they trust.
   */
  readonly signature?: ModuleSignature;
  /**
   * Node only: sign the module while submitting, with this Ed25519 private key (PKCS#8
   * PEM, as `anygrid keys create` writes it), naming `publisher` when given.
   */
  readonly signWith?: { readonly privateKeyPem: string; readonly publisher?: string };
  /** How replicas' outputs are compared; default byte-equal (`{ kind: 'exact' }`). */
  readonly compare?: SubmitCompare;
  /**
   * How results are verified: `{ mode: 'replicate' }` (default: `redundancy` and
   * `quorum`), `{ mode: 'adaptive', floor?, warmup?, trustedWaitMs?, partners? }`
   * (replicate a host's tasks less as its record grows) or `{ mode: 'none' }` (trusted pools).
   */
  readonly validation?: ValidationModeInput;
  /** A task's replicas only run on hosts of one platform (outputs that differ across platforms). */
  readonly homogeneous?: boolean;
  /**
   * What a host must have to run the tasks: `{ platforms, minMemoryBytes, minCores,
   * minDiskBytes, minSpeed, accelerators, regions, minReputation }`, each optional.
   */
  readonly requirements?: JobRequirements;
  /**
   * A task's size in operations of the standard benchmark: tasks then go only to hosts
   * expected to finish them before `deadlineMs`, and faster hosts hold more.
   */
  readonly estimatedOps?: number;
  /**
   * Native builds of the same program (docs/variants.md), each a path (Node) or URL, its
   * bytes, or an uploaded blob: hosts started with `--allow-native` on that platform run
   * them instead of `module` when expected faster. `module` stays required: it runs
   * everywhere else. With `signWith`, each is signed too.
   */
  readonly variants?: readonly VariantInput[];
  /** Replicas of one task may run different variants (default false: one variant per task). */
  readonly mixedVariants?: boolean;
  /**
   * A paid job's price ceiling per unit, budget and tier (docs/incentives.md): it runs on
   * hosts whose asks are at or under the ceiling; `tier` (`economy`, `standard`,
   * `priority`) sets its scheduling priority and multiplier. Absent: a free job, run by
   * volunteers (hosts asking nothing).
   */
  readonly pricing?: JobPricingInput;
  readonly signal?: AbortSignal;
}

/** One native build of the job's program, as `grid.submit()` takes it. */
export interface VariantInput extends Omit<JobVariant, 'module'> {
  readonly module: string | Uint8Array | BlobRef;
}

/**
 * The job policy of `options`, validated; throws `InvalidRequestError` naming the field.
 * `validator`: the reference of the validator module (or a stand-in of its size until
 * it is uploaded), when `compare` names one.
 */
export function policyOf(options: SubmitOptions, validator?: BlobRef): JobPolicyInput {
  const { compare } = options;
  const raw = {
    redundancy: options.redundancy,
    quorum: options.quorum,
    maxErrors: options.maxErrors,
    maxTotal: options.maxTotal,
    deadlineMs: options.deadlineMs,
    priority: options.priority,
    limits: options.limits,
    compare: compare?.kind === 'validator' ? { ...compare, module: validator } : compare,
    validation: options.validation,
    homogeneous: options.homogeneous,
    estimatedOps: options.estimatedOps,
    mixedVariants: options.mixedVariants,
    pricing: options.pricing,
  };
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const parsed = JobPolicyInput.safeParse(defined);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'policy';
    throw new InvalidRequestError(`Invalid ${where}: ${issue?.message ?? 'bad value'}.`, {
      issues: parsed.error.issues,
    });
  }
  return parsed.data;
}

/**
 * The wire specs of all tasks, uploading their stdin and files. `checked` holds the
 * specs `checkJob` built: those of plain tasks are final and used as they are (an async
 * call per task cost ~2 µs, 0.2 s for a job of 100 k).
 */
export async function taskSpecs(
  tasks: readonly TaskInput[],
  checked: TaskSpecInput[],
  blobs: BlobUploader,
): Promise<TaskSpecInput[]> {
  const specs = [...checked];
  const pending: Promise<void>[] = [];
  tasks.forEach((task, i) => {
    if (isPlain(task)) return;
    pending.push(
      taskSpec(task, blobs).then((spec) => {
        specs[i] = spec;
      }),
    );
  });
  await Promise.all(pending);
  return specs;
}

/** Uploads a task's stdin and files and returns its wire spec. */
async function taskSpec(task: TaskInput, blobs: BlobUploader): Promise<TaskSpecInput> {
  const files: Record<string, BlobRef> = {};
  await Promise.all(
    Object.entries(task.files ?? {}).map(async ([name, content]) => {
      files[name] = await blobs.ensure(toBytes(content));
    }),
  );
  const spec = plainSpec(task);
  if (task.stdin !== undefined) spec.stdin = await blobs.ensure(toBytes(task.stdin));
  if (Object.keys(files).length) spec.files = files;
  return spec;
}

/** The body of `POST /v1/jobs`. */
export function jobRequest(
  options: SubmitOptions,
  module: BlobRef,
  policy: JobPolicyInput,
  tasks: TaskSpecInput[],
  totalTasks: number = tasks.length,
  signature: ModuleSignature | undefined = options.signature,
  variants?: JobVariant[],
): CreateJobRequestInput {
  const argv0 = argv0Of(options);
  return {
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(argv0 === undefined ? {} : { argv0 }),
    ...(signature === undefined ? {} : { signature }),
    ...(variants === undefined ? {} : { variants }),
    module,
    policy,
    ...(options.requirements === undefined ? {} : { requirements: options.requirements }),
    tasks,
    ...(totalTasks > tasks.length ? { totalTasks } : {}),
  };
}

/** The module's signature: as given, or made with `signWith` (Node) over its hash. */
export async function signatureOf(
  options: SubmitOptions,
  moduleHash: string,
): Promise<ModuleSignature | undefined> {
  if (options.signWith === undefined) return options.signature;
  if (options.signature !== undefined) {
    throw new InvalidRequestError('Give signature or signWith, not both.');
  }
  const { signWith } = await import('./node/sign-module.js');
  return signWith(moduleHash, options.signWith.privateKeyPem, options.signWith.publisher);
}
