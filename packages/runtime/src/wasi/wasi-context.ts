/**
 * @module The state of one WASI process: memory, descriptors, clocks, randomness,
 * standard streams and the limits checked as system calls happen.
 *
 * A context is reused from run to run in the same thread (building the ~45 wrapped
 * system calls anew per run cost a fifth of a trivial task), so `reset` must leave
 * nothing of the previous guest reachable: it closes every descriptor (the only path to
 * the old file system), forgets the old memory, and starts fresh streams, clock and
 * random sequence.
 */
import { DIR_RIGHTS, FILE_RIGHTS, FileType, STDIO_RIGHTS } from './abi.js';
import { ByteSink } from './byte-sink.js';
import { FdTable } from './fd-table.js';
import { LimitExceeded } from './guest-exit.js';
import { GuestMemory } from './guest-memory.js';
import type { DirNode, FileNode } from './memfs.js';
import { SeededRandom } from './seeded-random.js';
import { StringList } from './string-list.js';
import { VirtualClock } from './virtual-clock.js';

/** What a run's process starts with. */
export interface WasiContextOptions {
  /** argv, including argv[0]. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly stdin: Uint8Array;
  readonly seed: number;
  /** Bytes the guest may add to stdout, stderr and files together. */
  readonly outputBytes: number;
  /** `performance.now()` value after which the next system call ends the run; Infinity for none. */
  readonly deadline: number;
}

const NO_INPUT = new Uint8Array(0);

/** Mutable per-process state that the preview1 functions operate on. */
export class WasiContext {
  readonly memory = new GuestMemory();
  readonly fds = new FdTable();
  readonly clock = new VirtualClock();
  readonly random = new SeededRandom(0);
  readonly stdout = new ByteSink();
  readonly stderr = new ByteSink();
  readonly argv = new StringList();
  readonly environ = new StringList();
  stdin: Uint8Array = NO_INPUT;
  stdinPosition = 0;
  /**
   * Told when the guest closes a file it held open or renames a file into place: the
   * moments a checkpoint can change (checkpoint-watch.ts). Unset unless watched.
   */
  onFileWritten: ((node: FileNode) => void) | undefined = undefined;
  private outputLeft = 0;
  private outputCap = 0;
  private deadline = 0;
  private calls = 0;
  private preopens = 0;

  constructor(options?: WasiContextOptions) {
    if (options) this.reset(options);
  }

  /** Starts a new process: stdio open, no preopens yet, fresh clock, streams and randomness. */
  reset(options: WasiContextOptions): void {
    this.memory.detach();
    this.fds.clear();
    this.clock.reset();
    this.random.reseed(options.seed);
    this.stdout.clear();
    this.stderr.clear();
    this.argv.clear();
    for (const arg of options.argv) this.argv.add(arg);
    this.environ.clear();
    for (const name in options.env) {
      if (Object.hasOwn(options.env, name)) this.environ.add(`${name}=${options.env[name]}`);
    }
    this.stdin = options.stdin;
    this.stdinPosition = 0;
    this.outputLeft = options.outputBytes;
    this.outputCap = options.outputBytes;
    this.onFileWritten = undefined;
    this.deadline = options.deadline;
    this.calls = 0;
    this.preopens = 0;
    this.fds.set(0, { kind: 'stdin', rightsBase: STDIO_RIGHTS, rightsInheriting: 0n, flags: 0 });
    this.fds.set(1, { kind: 'stdout', rightsBase: STDIO_RIGHTS, rightsInheriting: 0n, flags: 0 });
    this.fds.set(2, { kind: 'stderr', rightsBase: STDIO_RIGHTS, rightsInheriting: 0n, flags: 0 });
  }

  /** Opens `root` as the next preopened directory (fd 3, 4, …) under the guest name `name`. */
  preopen(name: string, root: DirNode): number {
    const fd = 3 + this.preopens++;
    this.fds.set(fd, {
      kind: 'dir',
      node: root,
      preopen: name,
      rightsBase: DIR_RIGHTS,
      rightsInheriting: DIR_RIGHTS | FILE_RIGHTS,
      flags: 0,
    });
    return fd;
  }

  /** Drops the references to the finished run's memory, files and inputs. */
  release(): void {
    this.memory.detach();
    this.fds.clear();
    this.stdin = NO_INPUT;
    this.stdout.clear();
    this.stderr.clear();
    this.onFileWritten = undefined;
  }

  /**
   * Gives back `bytes` of output a truncation freed (never above the cap): a program that
   * rewrites its checkpoint every few seconds must not run out of output for it.
   */
  refundOutput(bytes: number): void {
    this.outputLeft = Math.min(this.outputCap, this.outputLeft + bytes);
  }

  /** Counts `bytes` of new output; ends the run once the output cap is passed. */
  chargeOutput(bytes: number): void {
    this.outputLeft -= bytes;
    if (this.outputLeft < 0) throw new LimitExceeded('output_limit', 'output limit exceeded');
  }

  /** Bytes of output still allowed. */
  get outputRemaining(): number {
    return this.outputLeft;
  }

  /** Called on every system call: checks the wall-time deadline every 256 calls. */
  tick(): void {
    if ((++this.calls & 0xff) === 0 && performance.now() > this.deadline) {
      throw new LimitExceeded('time_limit', 'wall-time limit exceeded');
    }
  }
}

/**
 * File type reported for the standard streams. Not a character device: output is
 * collected, never a terminal, so libc must not think it is a tty — it then buffers
 * stdout fully, as when piped natively, instead of one fd_write per line.
 */
export const STDIO_FILE_TYPE = FileType.UNKNOWN;
