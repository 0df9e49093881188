/**
 * @module
 * `anygrid run MODULE -- ARGS…`: runs a module on this machine in exactly the sandbox a
 * provider uses (`NodeSandbox`), to try a module before submitting it. stdout and stderr
 * pass through, files the module writes in a `--dir` go back to the host directory, and
 * the exit code is the module's (or 1xx for a sandbox failure). What the grid would
 * refuse is refused here too: a command line over the task bound of argv + environment
 * bytes (`MAX_TASK_ARGV_ENV_BYTES`), and argv[0] defaults to the module's file name, as
 * it does for a job.
 */

import { basename } from 'node:path';
import { buffer } from 'node:stream/consumers';
import {
  Argv0,
  argvEnvBytes,
  argvEnvTooLarge,
  MAX_ARGV0_CHARS,
  MAX_TASK_ARGV_ENV_BYTES,
} from '@anygrid/protocol';
import type { Command } from 'commander';
import { CliError, USAGE_EXIT, usageError } from '../cli-error.js';
import { addJsonOption } from '../client-options.js';
import { msOption } from '../duration-option.js';
import { type DirMapping, parseDirMapping, readHostDir, writeHostDir } from '../host-dirs.js';
import { collect, intOption } from '../options.js';
import { note, printJson } from '../output.js';
import { FAILURE_EXIT_CODES, runExitCode } from '../run-exit-code.js';
import { parseEnv, readInput } from '../task-inputs.js';

interface RunFlags {
  dir?: string[];
  env?: string[];
  stdin?: string;
  memory?: number;
  timeout?: number;
  outputLimit?: number;
  argv0?: string;
  json?: boolean;
}

export function registerRun(program: Command): void {
  const codes = Object.entries(FAILURE_EXIT_CODES)
    .map(([code, exit]) => `${exit} ${code}`)
    .join(', ');
  const cmd = program
    .command('run')
    .summary("run a module locally in the provider's sandbox")
    .description(
      'Run MODULE on this machine in the same WASI sandbox and limits a provider uses. ' +
        'stdout/stderr pass through; files the module creates or changes in a --dir are ' +
        "written back to the host directory. Exit code: the module's own, or for a sandbox " +
        `failure: ${codes}.`,
    )
    .argument('<module>', 'path of the wasm32-wasi module')
    .argument('[args...]', 'arguments for the module (put them after --)')
    .option(
      '--dir <HOST::GUEST>',
      'map a host directory into the guest (repeatable; default: an empty /)',
      collect,
    )
    .option('--env <NAME=VALUE>', 'environment variable (repeatable)', collect)
    .option('--stdin <file>', "file to feed as stdin ('-' for this process's stdin)")
    .option('--memory <MB>', 'memory limit in MiB (default 256)', intOption(1, 4096))
    .option(
      '--timeout <duration>',
      'wall-time limit: 30s, 1500ms, or milliseconds (default 60s)',
      msOption(10),
    )
    .option(
      '--output-limit <MB>',
      'stdout + stderr + file growth limit in MiB (default 64)',
      intOption(0, 1024),
    )
    .option('--argv0 <name>', "argv[0] of the module (default: MODULE's file name)")
    .addHelpText(
      'after',
      `\nargv (after --) and --env together may take ${MAX_TASK_ARGV_ENV_BYTES} bytes (UTF-8, a NUL ` +
        'each), as on the grid.\n' +
        '\nExample:\n  anygrid run examples/prime.wasm -- 0 100000\n' +
        '  anygrid run examples/echo.wasm --dir work::/ --stdin notes.txt\n' +
        '  anygrid run examples/echo.wasm --argv0 busybox -- ls -l',
    );
  addJsonOption(cmd).action((module: string, args: string[], flags: RunFlags) =>
    run(module, args, flags),
  );
}

async function run(modulePath: string, args: string[], flags: RunFlags): Promise<void> {
  const env = parseEnv(flags.env, 'run');
  if (flags.argv0 !== undefined && !Argv0.safeParse(flags.argv0).success) {
    throw usageError(`--argv0 must be 1 to ${MAX_ARGV0_CHARS} characters`, 'run');
  }
  const argvBytes = argvEnvBytes(args, env);
  if (argvBytes > MAX_TASK_ARGV_ENV_BYTES) {
    throw new CliError(
      'ARGS_TOO_LARGE',
      argvEnvTooLarge(argvBytes),
      'put the long text in a file under a --dir (or --stdin) and pass its name instead',
      USAGE_EXIT,
    );
  }
  const bytes = await readInput(modulePath);
  const mappings: DirMapping[] = (flags.dir ?? []).map(parseDirMapping);
  const dirs: Record<string, Record<string, Uint8Array>> = {};
  for (const m of mappings) dirs[m.guest] = await readHostDir(m.host);
  // A provider always preopens the task directory at '/', so a bare run does too.
  if (!mappings.length) dirs['/'] = {};
  const stdin = await readStdin(flags.stdin);
  const limits = {
    ...(flags.memory === undefined ? {} : { memoryBytes: flags.memory * 1024 * 1024 }),
    ...(flags.timeout === undefined ? {} : { wallTimeMs: flags.timeout }),
    ...(flags.outputLimit === undefined ? {} : { outputBytes: flags.outputLimit * 1024 * 1024 }),
  };

  const { NodeSandbox } = await import('@anygrid/runtime/node');
  const sandbox = new NodeSandbox({ maxWorkers: 1 });
  try {
    let module: WebAssembly.Module;
    try {
      module = await sandbox.compile(bytes, limits.memoryBytes);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      finish(flags, { exitCode: null, failure: { code: 'invalid_module', message } });
      return;
    }
    const result = await sandbox.run(module, {
      args,
      // As on a provider, whose argv[0] is the job's, by default the module's file name.
      program: flags.argv0 ?? basename(modulePath),
      env,
      ...(stdin ? { stdin } : {}),
      dirs,
      limits,
    });
    if (!flags.json) {
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
    }
    const written: Record<string, string[]> = {};
    for (const [guest, files] of Object.entries(result.dirs)) {
      const mapping = mappings.find((m) => m.guest === guest);
      const names = Object.keys(files);
      if (!mapping) {
        if (names.length && !flags.json) {
          note(
            `note: the module wrote ${names.length} file(s) in ${guest}; pass --dir HOST::${guest} to keep them`,
          );
        }
        continue;
      }
      const { written: ok, refused } = await writeHostDir(mapping.host, files);
      written[guest] = ok;
      for (const name of refused) note(`skipped ${JSON.stringify(name)}: unsafe name`);
    }
    finish(flags, {
      exitCode: result.exitCode,
      failure: result.failure,
      stdout: result.stdout,
      stderr: result.stderr,
      files: written,
      durationMs: result.durationMs,
    });
  } finally {
    await sandbox.close();
  }
}

interface RunOutcome {
  exitCode: number | null;
  failure?: { readonly code: string; readonly message: string } | undefined;
  stdout?: Uint8Array;
  stderr?: Uint8Array;
  files?: Record<string, string[]>;
  durationMs?: number;
}

function finish(flags: RunFlags, o: RunOutcome): void {
  const exit = runExitCode(o.exitCode, o.failure);
  if (flags.json) {
    const decoder = new TextDecoder();
    printJson({
      exitCode: o.exitCode,
      failure: o.failure ?? null,
      stdout: o.stdout ? decoder.decode(o.stdout) : '',
      stderr: o.stderr ? decoder.decode(o.stderr) : '',
      files: o.files ?? {},
      durationMs: o.durationMs ?? 0,
    });
  } else if (o.failure && o.failure.code !== 'exit_code') {
    process.stderr.write(`error ${o.failure.code}: ${o.failure.message}\n`);
  }
  process.exitCode = exit;
}

async function readStdin(source: string | undefined): Promise<Uint8Array | undefined> {
  if (source === undefined) return undefined;
  if (source === '-') return new Uint8Array(await buffer(process.stdin));
  return readInput(source);
}
