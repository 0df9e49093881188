/**
 * @module The state of one WASI process: memory, descriptors, clocks, randomness,
 * standard streams and the limits checked as system calls happen.
 *
 * One context serves one instance for one run; nothing in it is shared between runs,
 * which is what makes a warm worker safe to reuse.
 */
import { DIR_RIGHTS, FILE_RIGHTS, FileType, STDIO_RIGHTS } from './abi.js';
import { ByteSink } from './byte-sink.js';
import { FdTable } from './fd-table.js';
import { LimitExceeded } from './guest-exit.js';
import { GuestMemory } from './guest-memory.js';
import type { DirNode } from './memfs.js';
import { SeededRandom } from './seeded-random.js';
import type { VirtualClock } from './virtual-clock.js';

/** What a context is created from. */
export interface WasiContextOptions {
  /** argv, including argv[0]. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly stdin: Uint8Array;
  /** Preopened directories in fd order (3, 4, …): guest name and tree. */
  readonly preopens: ReadonlyArray<{ readonly name: string; readonly root: DirNode }>;
  readonly seed: number;
  readonly clock: VirtualClock;
  /** Bytes the guest may add to stdout, stderr and files together. */
  readonly outputBytes: number;
  /** `performance.now()` value after which the next system call ends the run; Infinity for none. */
  readonly deadline: number;
}

const encoder = new TextEncoder();

/** Mutable per-process state that the preview1 functions operate on. */
export class WasiContext {
  readonly memory = new GuestMemory();
  readonly fds = new FdTable();
  readonly stdout = new ByteSink();
  readonly stderr = new ByteSink();
  readonly clock: VirtualClock;
  readonly random: SeededRandom;
  readonly argv: readonly Uint8Array[];
  readonly environ: readonly Uint8Array[];
  readonly stdin: Uint8Array;
  stdinPosition = 0;
  private outputLeft: number;
  private readonly deadline: number;
  private calls = 0;

  constructor(options: WasiContextOptions) {
    this.clock = options.clock;
    this.random = new SeededRandom(options.seed);
    this.argv = options.argv.map((a) => encoder.encode(`${a}\0`));
    this.environ = Object.entries(options.env).map(([k, v]) => encoder.encode(`${k}=${v}\0`));
    this.stdin = options.stdin;
    this.outputLeft = options.outputBytes;
    this.deadline = options.deadline;
    this.fds.set(0, { kind: 'stdin', rightsBase: STDIO_RIGHTS, rightsInheriting: 0n, flags: 0 });
    this.fds.set(1, { kind: 'stdout', rightsBase: STDIO_RIGHTS, rightsInheriting: 0n, flags: 0 });
    this.fds.set(2, { kind: 'stderr', rightsBase: STDIO_RIGHTS, rightsInheriting: 0n, flags: 0 });
    options.preopens.forEach((p, i) => {
      this.fds.set(3 + i, {
        kind: 'dir',
        node: p.root,
        preopen: p.name,
        rightsBase: DIR_RIGHTS,
        rightsInheriting: DIR_RIGHTS | FILE_RIGHTS,
        flags: 0,
      });
    });
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
