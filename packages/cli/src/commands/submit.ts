/**
 * @module
 * `anygrid submit MODULE [options] -- ARGS…`: builds tasks from input files, the
 * arguments after `--` (or `--args`) or a JSONL file, uploads what the coordinator
 * lacks, creates the job and, with `--wait`, follows it to the end with a progress bar
 * and prints the first results. Its job options (`addJobOptions`, `jobOptionsOf`) are
 * `anygrid quote`'s too.
 */

import { basename } from 'node:path';
import { JobRequirements, type JobView, NativePlatform, Tier } from '@anygrid/protocol';
import type { Job, SubmitOptions } from '@anygrid/sdk';
import { type Command, InvalidArgumentError } from 'commander';
import { CliError, usageError } from '../cli-error.js';
import { addClientOptions, type ClientOptions, clientFrom, urlHint } from '../client-options.js';
import {
  addCompareOptions,
  COMPARE_HELP,
  type CompareFlags,
  compareOf,
} from '../compare-options.js';
import { creditsOption } from '../credit-amount.js';
import { msOption } from '../duration-option.js';
import { retryReporter, waitNotice } from '../follow-notice.js';
import { collect, intOption } from '../options.js';
import { formatBytes, formatDuration, note, printJson, println } from '../output.js';
import { createProgressView } from '../progress-view.js';
import { resultLine } from '../result-line.js';
import { readKey, readSignature } from '../signing-files.js';
import { TASK_FILES_HELP } from '../task-files-help.js';
import { listInputDir, loadTasks, parseEnv, readInput } from '../task-inputs.js';
import { planTasks } from '../task-plan.js';

/** The flags `submit` and `quote` share. */
export interface JobFlags extends ClientOptions, CompareFlags {
  input?: string[];
  inputs?: string;
  inputName?: string;
  args?: string[];
  env?: string[];
  stdin?: string;
  tasks?: string;
  name?: string;
  redundancy?: number;
  quorum?: number;
  maxErrors?: number;
  deadline?: number;
  priority?: number;
  memory?: number;
  timeout?: number;
  argv0?: string;
  sign?: string;
  publisher?: string;
  signature?: string;
  validation?: 'replicate' | 'adaptive' | 'none';
  homogeneous?: boolean;
  requirements?: JobRequirements;
  estimatedOps?: number;
  native?: string[];
  mixedVariants?: boolean;
  ceilingCpu?: number;
  ceilingMem?: number;
  ceilingGpu?: number;
  budget?: number;
  tier?: Tier;
}

interface SubmitFlags extends JobFlags {
  wait?: boolean;
}

/** `--requirements JSON`, checked against the protocol's schema. */
function requirementsOption(value: string): JobRequirements {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError(
      'not JSON; give an object like \'{"minMemoryBytes":8589934592,"platforms":["linux-x64"]}\'',
    );
  }
  const parsed = JobRequirements.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidArgumentError(
      `${issue?.path.join('.') || 'requirements'}: ${issue?.message ?? 'invalid'} (fields: ${Object.keys(JobRequirements.shape).join(', ')})`,
    );
  }
  return parsed.data;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a positive number, like 4e9');
  return n;
}

const VALIDATION_MODES = ['replicate', 'adaptive', 'none'] as const;

function validationMode(value: string): SubmitFlags['validation'] {
  const mode = VALIDATION_MODES.find((m) => m === value);
  if (value === 'spot-check') {
    // The README lists it among the modes; say where it is, rather than that it is not one.
    throw new InvalidArgumentError(
      'spot-check needs known answers, which the CLI does not take yet: submit from ' +
        "TypeScript with validation: { mode: 'spot-check', rate, knownAnswers } " +
        '(docs/validation.md), or use --validation adaptive',
    );
  }
  if (!mode) {
    throw new InvalidArgumentError(`expected one of ${VALIDATION_MODES.join(', ')}`);
  }
  return mode;
}

/** Results printed after `--wait` before pointing at `anygrid results`. */
const SHOWN_RESULTS = 10;

export function registerSubmit(program: Command): void {
  const cmd = program
    .command('submit')
    .summary('submit a job: a WASI module and its tasks')
    .description(
      'Submit a job of MODULE (a wasm32-wasi file). The task arguments go last, after --; ' +
        'tasks come from one source, see below.',
    )
    .usage('<module> [options] [-- args...]');
  addJobOptions(cmd)
    .option('--wait', 'follow the job until it finishes, showing progress')
    .addHelpText(
      'after',
      '\nTask arguments: put them last, after --, where they may look like options:\n' +
        '  anygrid submit MODULE [options] -- ARGS...\n' +
        '  (--args A... also works, dash words included: it takes every word up to the next\n' +
        "   of submit's own options or --)\n" +
        '\nTasks come from exactly one source:\n' +
        '  --input F... / --inputs DIR  one task per file; the file is placed in the task\n' +
        '                               directory under its basename (or --input-name),\n' +
        '                               and that name replaces {} in the arguments, or is\n' +
        '                               appended to them when no argument contains {}\n' +
        '  --tasks FILE.jsonl           one task per line: {"args":[...],"env":{...},\n' +
        '                               "stdin":"text","files":{"name":"host/path"},\n' +
        '                               "dependsOn":[0,1]}\n' +
        '  -- ARGS... (or --args)       alone: one task with this argv\n' +
        'Put MODULE before --input: it takes several values.\n' +
        '\nTask graphs: "dependsOn" lists the tasks (lines, from 0) whose results a task\n' +
        '  needs. It runs once they are all valid, and finds their outputs in its directory\n' +
        '  as parents/<index>/stdout and parents/<index>/files/<name>; if one of them fails,\n' +
        '  it fails too (error parent_failed). Unknown indexes and cycles are refused.\n' +
        '  Map-reduce over three texts (examples/wordcount.jsonl):\n' +
        '    {"args":["map"],"files":{"input.txt":"examples/texts/a.txt"}}   (x3)\n' +
        '    {"args":["reduce"],"dependsOn":[0,1,2]}\n' +
        '    anygrid submit examples/wordcount.wasm --tasks examples/wordcount.jsonl --wait\n' +
        TASK_FILES_HELP +
        '\nMore examples:\n' +
        '  anygrid submit examples/prime.wasm --wait -- 0 100000\n' +
        '  anygrid submit examples/echo.wasm --argv0 echo --wait -- -n --verbose "two words"\n' +
        '  anygrid submit examples/echo.wasm --inputs examples/src --input-name input.txt -- -v {}\n' +
        '  anygrid submit examples/prime.wasm --tasks ranges.jsonl --redundancy 2 --json\n' +
        '  anygrid submit examples/prime.wasm --sign .anygrid/signing.key --publisher acme -- 0 1000\n' +
        '  anygrid submit examples/prime.wasm --ceiling-cpu 0.00002 --tier priority -- 0 100000\n' +
        '  anygrid submit examples/mrprime.wasm --native linux-x64=examples/native/mrprime -- 1000000000000000000 1500000\n' +
        '\nNative variants: --native PLATFORM=FILE adds a native build of the same program\n' +
        '  (bash examples/build.sh native NAME builds one). Hosts started with --allow-native\n' +
        '  on that platform run it under bubblewrap when it is expected faster; all others run\n' +
        "  MODULE. A task's replicas run one variant unless --mixed-variants (docs/variants.md).",
    );
  addCompareOptions(cmd).addHelpText('after', COMPARE_HELP);
  addClientOptions(cmd).action((module: string, args: string[], flags: SubmitFlags) =>
    submit(module, args, flags),
  );
}

/** The module, tasks and policy options `submit` and `quote` share. */
export function addJobOptions(cmd: Command): Command {
  return cmd
    .argument('<module>', 'path of the wasm32-wasi module')
    .argument('[args...]', 'task argv, after -- (a template with {} when there are inputs)')
    .option('--input <files...>', 'one task per input file')
    .option('--inputs <dir>', 'one task per regular file in DIR (sorted by name)')
    .option('--input-name <name>', 'name of each input file inside its task (default: basename)')
    .option('--args <args...>', "task argv: every word up to the next of submit's own options")
    .option('--argv0 <name>', "argv[0] of every task (default: MODULE's file name)")
    .option('--env <NAME=VALUE>', 'environment variable for every task (repeatable)', collect)
    .option('--stdin <file>', 'stdin of every task')
    .option('--tasks <file>', 'one task per line of a JSONL file')
    .option('--name <name>', 'job name (default: the module file name)')
    .option(
      '--redundancy <n>',
      'replicas per task, on distinct hosts (default 1)',
      intOption(1, 16),
    )
    .option('--quorum <n>', 'equal outputs needed to accept a result', intOption(1, 16))
    .option(
      '--validation <mode>',
      'replicate (default: --redundancy and --quorum), adaptive (replicate a host less as ' +
        'its record grows, down to a 5% floor) or none (accept the first success: trusted pools); ' +
        'spot-check (known answers) from the SDK only',
      validationMode,
    )
    .option('--homogeneous', "run a task's replicas on hosts of one platform only")
    .option(
      '--native <PLATFORM=FILE>',
      'a native build of the program (linux-x64=FILE, linux-arm64=FILE), run instead of MODULE by --allow-native hosts of that platform (repeatable; docs/variants.md)',
      collect,
    )
    .option('--mixed-variants', "let one task's replicas run different variants (wasm and native)")
    .option('--max-errors <n>', 'failed replicas tolerated per task', intOption(0, 100))
    .option(
      '--deadline <duration>',
      'time a provider has for one replica: 10m, 90s, or milliseconds',
      msOption(1000),
    )
    .option('--priority <p>', 'higher runs first, -100..100', intOption(-100, 100))
    .option('--memory <MB>', 'memory limit per task in MiB', intOption(1, 4096))
    .option(
      '--timeout <duration>',
      'wall-time limit per task: 30s, 1500ms, or milliseconds',
      msOption(10),
    )
    .option('--sign <keyfile>', 'sign the module with this private key (see `anygrid keys create`)')
    .option('--publisher <name>', 'with --sign: the publisher name the signature claims')
    .option('--signature <file>', 'send the signature in FILE (written by `anygrid sign`)')
    .option(
      '--requirements <json>',
      'what a host must have, as JSON: platforms, minMemoryBytes, minCores, minDiskBytes, minSpeed, accelerators, regions, minReputation',
      requirementsOption,
    )
    .option(
      '--estimated-ops <n>',
      "a task's size in benchmark operations: only hosts fast enough for --deadline get it",
      positiveNumber,
    )
    .option(
      '--ceiling-cpu <credits>',
      'make it a paid job: the most paid per normalized CPU-second, in credits (hosts asking more get none of it)',
      creditsOption,
    )
    .option(
      '--ceiling-mem <credits>',
      'paid job: the most paid per GiB-second of memory',
      creditsOption,
    )
    .option('--ceiling-gpu <credits>', 'paid job: the most paid per GPU-second', creditsOption)
    .option('--budget <credits>', 'paid job: the most it may cost in all', creditsOption)
    .option(
      '--tier <tier>',
      'paid job: economy, standard (default) or priority — what it pays over the asks and how soon it runs',
      tierOption,
    );
}

/** The job `submit` (or `quote`) sends, from MODULE, the task arguments and the flags. */
export async function jobOptionsOf(
  modulePath: string,
  trailing: string[],
  flags: JobFlags,
  command: string,
): Promise<SubmitOptions> {
  if (flags.args && trailing.length) {
    throw usageError(
      'task arguments given twice, with --args and after the module or --; use one: ' +
        `anygrid ${command} MODULE [options] -- ARGS...`,
      command,
    );
  }
  const signing = await signingOf(flags);
  const module = await readInput(modulePath);
  const inputs = [...(flags.input ?? [])];
  if (flags.inputs) inputs.push(...(await listInputDir(flags.inputs)));
  const tasksJsonl = flags.tasks
    ? { text: new TextDecoder().decode(await readInput(flags.tasks)), source: flags.tasks }
    : undefined;
  const args = flags.args ?? (trailing.length ? trailing : undefined);
  const plans = planTasks({ args, inputs, inputName: flags.inputName, tasksJsonl });
  const stdin = flags.stdin ? await readInput(flags.stdin) : undefined;
  const tasks = await loadTasks(plans, {
    env: parseEnv(flags.env, command),
    ...(stdin ? { stdin } : {}),
  });

  const compare = await compareOf(flags);
  return {
    module,
    tasks,
    name: flags.name ?? basename(modulePath).replace(/\.wasm$/, ''),
    // What providers put in argv[0]; multicall programs (busybox, LLVM) dispatch on it.
    argv0: flags.argv0 ?? basename(modulePath),
    redundancy: flags.redundancy,
    quorum: flags.quorum,
    maxErrors: flags.maxErrors,
    deadlineMs: flags.deadline,
    priority: flags.priority,
    limits: limitsOf(flags),
    ...signing,
    ...(compare ? { compare } : {}),
    ...(flags.validation ? { validation: { mode: flags.validation } } : {}),
    ...(flags.homogeneous ? { homogeneous: true } : {}),
    ...(flags.requirements ? { requirements: flags.requirements } : {}),
    ...(flags.estimatedOps === undefined ? {} : { estimatedOps: flags.estimatedOps }),
    ...(flags.native ? { variants: await variantsOf(flags.native) } : {}),
    ...(flags.mixedVariants ? { mixedVariants: true } : {}),
    ...pricingOf(flags),
  };
}

/** `pricing` from --ceiling-*, --budget and --tier; none of them: a free job. */
function pricingOf(flags: JobFlags): Pick<SubmitOptions, 'pricing'> {
  const { ceilingCpu, ceilingMem, ceilingGpu, budget, tier } = flags;
  const paid = [ceilingCpu, ceilingMem, ceilingGpu, budget, tier].some((v) => v !== undefined);
  if (!paid) return {};
  return {
    pricing: {
      ceiling: {
        cpuSecond: ceilingCpu ?? 0,
        memGiBSecond: ceilingMem ?? 0,
        gpuSecond: ceilingGpu ?? 0,
      },
      ...(budget === undefined ? {} : { budget }),
      ...(tier === undefined ? {} : { tier }),
    },
  };
}

function tierOption(value: string): Tier {
  const parsed = Tier.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`expected one of ${Tier.options.join(', ')}`);
  return parsed.data;
}

async function submit(modulePath: string, trailing: string[], flags: SubmitFlags): Promise<void> {
  const json = flags.json ?? false;
  const grid = clientFrom(flags);
  const options = await jobOptionsOf(modulePath, trailing, flags, 'submit');
  const { tasks } = options;
  const job = await grid.submit(options);
  const up = grid.lastSubmit;
  // On stderr even with --json: stdout stays one document, which carries them too.
  for (const w of up.warnings) note(`warning: ${w}`);
  const warned = <T extends object>(view: T) =>
    up.warnings.length === 0 ? view : { ...view, warnings: up.warnings };
  if (!json) {
    const upload = up.uploadedBlobs
      ? `uploaded ${up.uploadedBlobs} blob(s), ${formatBytes(up.uploadedBytes)}`
      : 'nothing to upload';
    println(`submitted job ${job.id}: ${tasks.length} task(s), ${upload}`);
  }
  if (!flags.wait) {
    if (json) printJson(warned(await job.view()));
    else {
      note(`  next: anygrid status ${job.id}${urlHint(flags)}`);
      note(`        anygrid results ${job.id} --follow --out results/${urlHint(flags)}`);
    }
    return;
  }
  const final = await waitWithProgress(job.id, flags, json);
  if (json) {
    printJson(warned(final));
    return;
  }
  await printSummary(job, final, urlHint(flags));
}

/** `signature` or `signWith` of the submit, from --signature or --sign (and --publisher). */
async function signingOf(
  flags: SubmitFlags,
): Promise<Pick<SubmitOptions, 'signature' | 'signWith'>> {
  if (flags.sign !== undefined && flags.signature !== undefined) {
    throw usageError('give --sign KEYFILE or --signature FILE, not both', 'submit');
  }
  if (flags.publisher !== undefined && flags.sign === undefined) {
    throw usageError('--publisher goes with --sign (a --signature file names its own)', 'submit');
  }
  if (flags.signature !== undefined) return { signature: await readSignature(flags.signature) };
  if (flags.sign === undefined) return {};
  const { privateKeyPem } = await readKey(flags.sign);
  return {
    signWith: {
      privateKeyPem,
      ...(flags.publisher === undefined ? {} : { publisher: flags.publisher }),
    },
  };
}

function limitsOf(flags: SubmitFlags): SubmitOptions['limits'] {
  const limits: { memoryBytes?: number; wallTimeMs?: number } = {};
  if (flags.memory !== undefined) limits.memoryBytes = flags.memory * 1024 * 1024;
  if (flags.timeout !== undefined) limits.wallTimeMs = flags.timeout;
  return Object.keys(limits).length ? limits : undefined;
}

/**
 * Follows the job to its end; Ctrl-C stops watching, leaving the job running. A lost
 * coordinator is said at once (the bar alone would just stop moving), with how to follow
 * the job on another one while this one is retried.
 */
async function waitWithProgress(id: number, flags: SubmitFlags, json: boolean): Promise<JobView> {
  const view = createProgressView({ json, tty: Boolean(process.stderr.isTTY) });
  const onRetry = retryReporter(
    (n, saidAt) => waitNotice(id, n, saidAt),
    (line) => view.say(line),
  );
  const job = clientFrom(flags, { onRetry }).job(id);
  const abort = new AbortController();
  const onSigint = () =>
    abort.abort(
      new CliError(
        'INTERRUPTED',
        'stopped watching',
        `the job keeps running: anygrid status ${id}${urlHint(flags)}`,
        130,
      ),
    );
  process.once('SIGINT', onSigint);
  try {
    return await job.wait({ onProgress: (u) => view.update(u), signal: abort.signal });
  } finally {
    view.stop();
    process.off('SIGINT', onSigint);
  }
}

async function printSummary(job: Job, final: JobView, url: string): Promise<void> {
  const p = final.progress;
  const took = final.finishedAt ? formatDuration(final.finishedAt - final.createdAt) : '?';
  println(
    `job ${job.id} ${final.state} in ${took}: ${p.valid} valid, ${p.failed} failed, ` +
      `${p.noConsensus} no consensus, ${p.cancelled} cancelled`,
  );
  const page = await job.resultPage({ limit: SHOWN_RESULTS });
  const sorted = [...page.results].sort((a, b) => a.index - b.index);
  for (const r of sorted) {
    const text = r.stdout?.data === undefined ? undefined : decoder.decode(base64(r.stdout.data));
    println(`  ${resultLine(r, text)}`);
  }
  if (p.total > sorted.length) {
    note(`  next: anygrid results ${job.id} --out results/${url}`);
  }
}

const decoder = new TextDecoder();

function base64(data: string): Uint8Array {
  return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
}

/** The variants of --native PLATFORM=FILE, each executable read from its file. */
async function variantsOf(
  specs: readonly string[],
): Promise<NonNullable<SubmitOptions['variants']>> {
  return Promise.all(
    specs.map(async (spec) => {
      const eq = spec.indexOf('=');
      const platform = NativePlatform.safeParse(spec.slice(0, Math.max(0, eq)));
      if (eq <= 0 || eq === spec.length - 1 || !platform.success) {
        throw usageError(
          `--native ${JSON.stringify(spec)}: expected PLATFORM=FILE with PLATFORM one of ${NativePlatform.options.join(', ')}, e.g. --native linux-x64=examples/native/prime`,
          'submit',
        );
      }
      return { platform: platform.data, module: await readInput(spec.slice(eq + 1)) };
    }),
  );
}
