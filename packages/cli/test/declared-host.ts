/**
 * @module
 * An honest host that declares what a test chooses (memory, platform, benchmark speed,
 * region) rather than what this machine has: the protocol client of
 * adversaries/protocol-provider.ts, answering every prime-count task correctly and
 * taking, per task, the time its declared speed implies (`opsPerTask / speed`), with
 * `slots` tasks at once. Until agents run the benchmark themselves, this is how a test
 * gets hosts of different speeds on one machine.
 */

import type { Assignment, RegisterHostRequestInput } from '@anygrid/protocol';
import { ProtocolProvider } from './adversaries/protocol-provider.js';
import { countPrimes } from './harness.js';

export interface DeclaredHostOptions {
  readonly name: string;
  readonly declares: Partial<RegisterHostRequestInput> & { platform?: string };
  /** Ms one task takes; default 1. */
  readonly msPerTask?: number;
  /** The `durationMs` it reports, a claim (credit tests inflate it); default: `msPerTask`. */
  readonly reportsMs?: number;
}

export class DeclaredHost {
  readonly provider: ProtocolProvider;
  /** Replica ids this host ran and reported. */
  readonly ran: number[] = [];
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    url: string,
    token: string,
    private readonly options: DeclaredHostOptions,
  ) {
    const { platform, ...declares } = options.declares;
    this.provider = new ProtocolProvider(url, token, options.name, platform, declares);
  }

  async start(): Promise<this> {
    await this.provider.register();
    this.loop = this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const slots = this.options.declares.slots ?? 1;
    const ms = this.options.msPerTask ?? 1;
    while (!this.abort.signal.aborted) {
      let got: Assignment[];
      try {
        got = await this.provider.pull(slots);
      } catch {
        if (this.abort.signal.aborted) return;
        throw new Error(`${this.options.name}: pull failed`);
      }
      if (got.length === 0) {
        await sleep(100);
        continue;
      }
      // Its slots run side by side; each reports as it finishes.
      await Promise.all(
        got.map(async (a) => {
          await sleep(ms);
          const [start, end] = a.args.map(Number) as [number, number];
          await this.provider.report([
            {
              replicaId: a.replicaId,
              stdout: `${countPrimes(start, end)}\n`,
              durationMs: this.options.reportsMs ?? ms,
            },
          ]);
          this.ran.push(a.replicaId);
        }),
      );
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
