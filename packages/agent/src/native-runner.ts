/**
 * @module
 * Runs native variants (docs/variants.md) under bubblewrap, for an agent started with
 * `--allow-native`. Each run gets a private directory holding only the task's input
 * files, bound at `/work` (its working directory) and the only place it may write; the
 * executable bound read-only at `/anygrid/bin/NAME`; `/usr` (and the `/bin`, `/lib`
 * links into it) and the loader cache read-only; a fresh `/proc` and minimal `/dev`;
 * nothing else of the host. Every namespace is new (`--unshare-all`: no network, its own
 * pids, ipc, uts, cgroup), capabilities are dropped, the environment is only the task's,
 * it runs in its own session and dies with the agent. A seccomp filter
 * (native-seccomp.ts) kills it if it asks for a network socket.
 *
 * Limits, set by `prlimit` before bubblewrap starts: address space (the job's memory
 * plus `ADDRESS_SPACE_SLACK` for the loader and shared libraries), CPU seconds (the wall
 * limit, rounded up), file size (the output limit), processes (`maxProcesses`: a fork bomb
 * gets EAGAIN), no core dumps. The whole process group is killed at the wall deadline, or
 * once stdout and stderr pass the output limit. RLIMIT_NPROC counts every process of a
 * user and does not hold for root: an agent running as root gives each concurrent run a
 * user id of its own (`uidBase` + slot), one without a process elsewhere; any other agent
 * runs tasks as itself, with the limit above the processes it already has.
 *
 * How a run ended becomes the wasm path's failure codes (native-exit.ts): killed at the
 * deadline or by SIGXCPU `time_limit`; outputs too large or SIGXFSZ `output_limit`; killed
 * by the seccomp filter (SIGSYS) `sandbox_violation`; SIGKILL from elsewhere (the kernel's
 * out-of-memory killer) `memory_limit`; another signal `trap`; a non-zero exit `exit_code`.
 */

import { spawn } from 'node:child_process';
import { closeSync as closeFd, openSync, readdirSync, statSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunResult, type RunSpec, resolveLimits } from '@anygrid/runtime';
import { ending, type Stop } from './native-exit.js';
import { changedFiles, writeInputs } from './native-outputs.js';
import { seccompFilter, seccompSupported } from './native-seccomp.js';

/** Address space beyond the job's memory limit: the loader, libc and their mappings. */
export const ADDRESS_SPACE_SLACK = 64 * 1024 * 1024;

/** Processes a run may have at once, unless configured. */
export const DEFAULT_MAX_PROCESSES = 64;

/** First user id given to runs when the agent is root: far above those of real users. */
export const DEFAULT_UID_BASE = 3_000_000;

/** bubblewrap's own processes inside the limit: its monitor, the namespace's init. */
const BWRAP_PROCESSES = 3;

export interface NativeRunnerOptions {
  /** Tasks run at once (the agent's slots): the size of the user-id pool when root. */
  readonly slots: number;
  /** bubblewrap's path; default `bwrap` on the PATH. */
  readonly bwrap?: string;
  /** util-linux `prlimit`'s path; default `prlimit` on the PATH. */
  readonly prlimit?: string;
  /** Where runs' private directories are made; default the OS temp dir. */
  readonly workRoot?: string;
  readonly maxProcesses?: number;
  readonly uidBase?: number;
}

/** Whether native variants can run here, and why not. */
export type NativeProbe =
  | { readonly ok: true; readonly runner: NativeRunner }
  | { readonly ok: false; readonly reason: string };

/**
 * Checks that native variants can run on this machine (Linux on x64 or arm64, bubblewrap
 * and prlimit present, a sandboxed `/usr/bin/true` exits 0) and gives the runner.
 */
export async function openNativeRunner(options: NativeRunnerOptions): Promise<NativeProbe> {
  if (process.platform !== 'linux' || !seccompSupported()) {
    return {
      ok: false,
      reason: `native variants run on linux-x64 and linux-arm64 only, not ${process.platform}-${process.arch}`,
    };
  }
  const root = await mkdtemp(join(options.workRoot ?? tmpdir(), 'anygrid-native-'));
  await chmod(root, 0o711);
  const filter = join(root, 'seccomp.bpf');
  await writeFile(filter, seccompFilter(), { mode: 0o644 });
  const runner = new NativeRunner(options, root, filter);
  try {
    const probe = await runner.runFile('/usr/bin/true', { limits: { wallTimeMs: 10_000 } });
    if (probe.exitCode === 0) return { ok: true, runner };
    const said = new TextDecoder().decode(probe.stderr).trim() || probe.failure?.message || '';
    await runner.close();
    return {
      ok: false,
      reason: `bubblewrap did not run a test program (${said || `exit ${probe.exitCode}`})`,
    };
  } catch (error) {
    await runner.close();
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' || e.code === 'EACCES') {
      return {
        ok: false,
        reason:
          'bubblewrap (bwrap) or prlimit not found on the PATH: install them (Debian: apt-get install bubblewrap util-linux)',
      };
    }
    return { ok: false, reason: `bubblewrap failed: ${e.message}` };
  }
}

export class NativeRunner {
  private readonly uids: number[] | undefined;
  private readonly maxProcesses: number;

  constructor(
    private readonly options: NativeRunnerOptions,
    /** This runner's directory: the seccomp filter, and each run's private directory. */
    private readonly root: string,
    private readonly filter: string,
  ) {
    this.maxProcesses = options.maxProcesses ?? DEFAULT_MAX_PROCESSES;
    if (process.getuid?.() === 0) {
      const base = options.uidBase ?? DEFAULT_UID_BASE;
      this.uids = Array.from({ length: options.slots }, (_, i) => base + i);
    }
  }

  /** Runs a native executable (its bytes already verified) with the task's spec. */
  async run(executable: Uint8Array, spec: RunSpec, signal?: AbortSignal): Promise<RunResult> {
    const dir = await mkdtemp(join(this.root, 'run-'));
    try {
      await mkdir(join(dir, 'bin'));
      const program = join(dir, 'bin', 'program');
      await writeFile(program, executable, { mode: 0o555 });
      return await this.runFile(program, spec, signal, dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Runs the executable at `program` in a private directory under `dir` (made if absent). */
  async runFile(
    program: string,
    spec: RunSpec,
    signal?: AbortSignal,
    dir?: string,
  ): Promise<RunResult> {
    const own = dir === undefined;
    const runDir = dir ?? (await mkdtemp(join(this.root, 'run-')));
    const uid = this.uids?.shift();
    try {
      const work = join(runDir, 'work');
      await mkdir(work);
      const inputs = spec.dirs?.['/'] ?? {};
      await writeInputs(work, inputs);
      if (uid !== undefined) {
        await chmod(runDir, 0o711);
        await chownTree(work, uid);
      }
      return await this.spawnRun(program, work, spec, inputs, uid, signal);
    } finally {
      if (uid !== undefined) this.uids?.push(uid);
      if (own) await rm(runDir, { recursive: true, force: true });
    }
  }

  /** Removes the runner's directory. */
  async close(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }

  private async spawnRun(
    program: string,
    work: string,
    spec: RunSpec,
    inputs: Readonly<Record<string, Uint8Array>>,
    uid: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<RunResult> {
    const limits = resolveLimits(spec.limits);
    const name = programName(spec.program);
    const inside = `/anygrid/bin/${name}`;
    const nproc =
      this.maxProcesses +
      BWRAP_PROCESSES +
      (uid === undefined ? processesOf(process.getuid?.() ?? -1) : 0);
    const env = Object.entries(spec.env ?? {}).flatMap(([k, v]) => ['--setenv', k, v]);
    const args = [
      `--nproc=${nproc}`,
      `--as=${limits.memoryBytes + ADDRESS_SPACE_SLACK}`,
      `--cpu=${Math.ceil(limits.wallTimeMs / 1000) + 1}`,
      `--fsize=${Math.max(1, limits.outputBytes)}`,
      '--core=0',
      '--',
      this.options.bwrap ?? 'bwrap',
      '--unshare-all',
      '--die-with-parent',
      '--new-session',
      '--cap-drop',
      'ALL',
      '--ro-bind',
      '/usr',
      '/usr',
      ...['bin', 'lib', 'lib64', 'sbin'].flatMap((d) => ['--symlink', `usr/${d}`, `/${d}`]),
      '--ro-bind-try',
      '/etc/ld.so.cache',
      '/etc/ld.so.cache',
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--ro-bind',
      program,
      inside,
      '--bind',
      work,
      '/work',
      '--remount-ro',
      '/',
      '--chdir',
      '/work',
      '--clearenv',
      ...env,
      '--seccomp',
      '3',
      '--json-status-fd',
      '4',
      inside,
      ...(spec.args ?? []),
    ];
    const filterFd = openSync(this.filter, 'r');
    const started = performance.now();
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(this.options.prlimit ?? 'prlimit', args, {
        stdio: ['pipe', 'pipe', 'pipe', filterFd, 'pipe'],
        detached: true,
        ...(uid === undefined ? {} : { uid, gid: uid }),
      });
    } finally {
      closeFd(filterFd);
    }
    return new Promise<RunResult>((resolve, reject) => {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let status = '';
      let outBytes = 0;
      let stop: Stop;
      const kill = (why: Stop) => {
        stop ??= why;
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      };
      const timer = setTimeout(() => kill('deadline'), limits.wallTimeMs);
      const onAbort = () => kill('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      const take = (into: Buffer[]) => (chunk: Buffer) => {
        outBytes += chunk.byteLength;
        if (outBytes > limits.outputBytes) kill('output');
        else into.push(chunk);
      };
      child.stdout?.on('data', take(stdout));
      child.stderr?.on('data', take(stderr));
      child.stdio[4]?.on('data', (chunk: Buffer) => {
        if (status.length < 4096) status += chunk.toString();
      });
      child.stdin?.on('error', () => {});
      child.stdin?.end(spec.stdin ?? undefined);
      child.once('error', (error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      });
      child.once('close', (code, sig) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const durationMs = performance.now() - started;
        if (stop === 'aborted') {
          reject(new Error('native run stopped'));
          return;
        }
        const result = {
          stdout: new Uint8Array(Buffer.concat(stdout)),
          stderr: new Uint8Array(Buffer.concat(stderr)),
          durationMs,
        };
        let ended: ReturnType<typeof ending>;
        try {
          const began = status.includes('"child-pid"');
          const err = result.stderr;
          ended = ending(stop, code, sig, began, limits.wallTimeMs, limits.outputBytes, err);
        } catch (error) {
          reject(error);
          return;
        }
        if (ended.failure?.code === 'output_limit' || stop !== undefined) {
          resolve({
            ...result,
            exitCode: ended.exitCode,
            dirs: { '/': {} },
            ...(ended.failure && { failure: ended.failure }),
          });
          return;
        }
        changedFiles(work, inputs, Math.max(0, limits.outputBytes - outBytes)).then((files) => {
          if ('tooLarge' in files) {
            resolve({
              ...result,
              exitCode: ended.exitCode,
              dirs: { '/': {} },
              failure: {
                code: 'output_limit',
                message: `The program's outputs passed the output limit of ${limits.outputBytes} bytes.`,
              },
            });
            return;
          }
          resolve({
            ...result,
            exitCode: ended.exitCode,
            dirs: { '/': files.files },
            ...(ended.failure && { failure: ended.failure }),
          });
        }, reject);
      });
    });
  }
}

/** A file name for the executable from the job's argv[0]; `program` when it is not a plain name. */
function programName(argv0: string | undefined): string {
  return argv0 !== undefined &&
    /^[A-Za-z0-9._-]{1,64}$/.test(argv0) &&
    argv0 !== '.' &&
    argv0 !== '..'
    ? argv0
    : 'program';
}

/** Processes of the user now (RLIMIT_NPROC counts them all). */
function processesOf(uid: number): number {
  let n = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      if (statSync(`/proc/${name}`).uid === uid) n++;
    } catch {
      // The process exited meanwhile.
    }
  }
  return n;
}

/** Gives a directory tree to the run's user. */
async function chownTree(dir: string, uid: number): Promise<void> {
  await chown(dir, uid, uid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(path, uid);
    else await chown(path, uid, uid);
  }
}
