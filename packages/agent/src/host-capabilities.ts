/**
 * @module
 * What this device measures of itself beyond platform, cores and memory: its speed on
 * the standard WASM benchmark (@anygrid/runtime's `runBenchmark`, in the agent's own
 * sandbox), the disk free where it keeps its cache, and its NVIDIA GPUs. Measured once
 * at start — all three at the same time, so start waits for the slowest, not the sum —
 * and then now and then: the benchmark every `benchmarkIntervalMs` while no task runs
 * (a busy host would measure its own load), the free disk every few minutes. A figure
 * goes to the coordinator (in the next heartbeat's `update`) only when it moved enough to
 * matter, so an idle host sends nothing. A measurement that fails is logged and left out:
 * the agent never fails for it.
 */

import type { Accelerator, HostUpdate } from '@anygrid/protocol';
import { type BenchmarkSandbox, runBenchmark } from '@anygrid/runtime';
import type { Logger } from 'pino';
import { freeDiskBytes } from './free-disk.js';
import { probeNvidiaGpus } from './gpu-probe.js';

/** How often the benchmark runs again unless configured: hourly. */
export const DEFAULT_BENCHMARK_INTERVAL_MS = 3_600_000;

/** How often the free disk is measured again. */
export const DISK_REFRESH_MS = 10 * 60_000;

/** A busy host tries the benchmark again this much later. */
const BUSY_RETRY_MS = 60_000;

/** A new speed is sent when it differs from the one sent by more than this share. */
export const SPEED_CHANGE = 0.1;

/** A new free-disk figure is sent when it differs from the one sent by more than this share. */
export const DISK_CHANGE = 0.05;

export interface HostCapabilitiesOptions {
  /** Where the benchmark runs: the agent's sandbox. */
  readonly sandbox: BenchmarkSandbox;
  /** The directory whose file system's free space is reported; default the temporary directory. */
  readonly dir?: string;
  /** Run the benchmark at all; false: `speed` is never reported. */
  readonly benchmark: boolean;
  /** How often to run it again; 0: only at start. */
  readonly benchmarkIntervalMs: number;
  /** Whether no task runs now (the periodic benchmark waits for that). */
  readonly idle: () => boolean;
  readonly logger: Logger;
  /** The GPU probe; default `nvidia-smi` (gpu-probe.ts). */
  readonly probeGpus?: () => Promise<Accelerator[]>;
  /** About how long one timed benchmark run takes, in milliseconds; default runBenchmark's. */
  readonly benchmarkTargetMs?: number;
}

/** What a registration carries of these measurements. */
export interface DeclaredCapabilities {
  freeDiskBytes?: number;
  speed?: number;
  accelerators?: Accelerator[];
}

/** A device's measured speed, free disk and GPUs, kept fresh while the agent runs. */
export class HostCapabilities {
  private speed: number | undefined;
  private freeDisk: number | undefined;
  private accelerators: Accelerator[] = [];
  /** What the coordinator was last told. */
  private sent: { speed?: number; freeDisk?: number } = {};
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly options: HostCapabilitiesOptions) {}

  /** Measures everything once, at the same time; resolves when all are done, never rejects. */
  async measure(): Promise<void> {
    await Promise.all([
      this.options.benchmark ? this.bench() : undefined,
      this.disk(),
      (this.options.probeGpus ?? probeNvidiaGpus)().then((gpus) => {
        this.accelerators = gpus;
      }),
    ]);
  }

  /** What is known now, for a registration: counted as sent. */
  declared(): DeclaredCapabilities {
    this.sent = { speed: this.speed, freeDisk: this.freeDisk };
    return {
      ...(this.freeDisk === undefined ? {} : { freeDiskBytes: this.freeDisk }),
      ...(this.speed === undefined ? {} : { speed: this.speed }),
      ...(this.accelerators.length === 0 ? {} : { accelerators: this.accelerators }),
    };
  }

  /** What moved enough since it was last sent to tell the coordinator; undefined: nothing. */
  pending(): HostUpdate | undefined {
    return capabilityUpdate({ speed: this.speed, freeDisk: this.freeDisk }, this.sent);
  }

  /** The coordinator took `update`. */
  confirm(update: HostUpdate): void {
    if (update.speed !== undefined) this.sent.speed = update.speed;
    if (update.freeDiskBytes !== undefined) this.sent.freeDisk = update.freeDiskBytes;
  }

  /** Starts measuring again now and then (see the module comment). */
  refresh(): void {
    const { benchmark, benchmarkIntervalMs } = this.options;
    if (benchmark && benchmarkIntervalMs > 0) this.later(benchmarkIntervalMs, () => this.rebench());
    this.later(DISK_REFRESH_MS, () => this.redisk());
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private async rebench(): Promise<void> {
    if (!this.options.idle()) {
      this.later(BUSY_RETRY_MS, () => this.rebench());
      return;
    }
    await this.bench();
    this.later(this.options.benchmarkIntervalMs, () => this.rebench());
  }

  private async redisk(): Promise<void> {
    await this.disk();
    this.later(DISK_REFRESH_MS, () => this.redisk());
  }

  private async bench(): Promise<void> {
    try {
      const target = this.options.benchmarkTargetMs;
      const result = await runBenchmark(
        this.options.sandbox,
        target === undefined ? {} : { targetMs: target },
      );
      if (this.stopped) return;
      // Within the protocol's bounds, and whole: the figure is an estimate.
      this.speed = Math.min(1e15, Math.max(1, Math.round(result.speed)));
      this.options.logger.debug(
        { speed: this.speed, rounds: result.rounds, ms: Math.round(result.durationMs) },
        'benchmark done',
      );
    } catch (error) {
      if (!this.stopped)
        this.options.logger.warn({ err: error }, 'benchmark failed; speed not reported');
    }
  }

  private async disk(): Promise<void> {
    const free = await freeDiskBytes(this.options.dir);
    if (free !== undefined) this.freeDisk = free;
  }

  private later(ms: number, task: () => Promise<void>): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) void task();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }
}

/** Figures of a host's capabilities, measured or as last sent. */
export interface CapabilityFigures {
  readonly speed?: number | undefined;
  readonly freeDisk?: number | undefined;
}

/** The figures of `now` that moved enough since `sent` to tell the coordinator; undefined: none. */
export function capabilityUpdate(
  now: CapabilityFigures,
  sent: CapabilityFigures,
): HostUpdate | undefined {
  const update: HostUpdate = {};
  if (moved(now.speed, sent.speed, SPEED_CHANGE)) update.speed = now.speed;
  if (moved(now.freeDisk, sent.freeDisk, DISK_CHANGE)) update.freeDiskBytes = now.freeDisk;
  return update.speed === undefined && update.freeDiskBytes === undefined ? undefined : update;
}

function moved(now: number | undefined, sent: number | undefined, share: number): boolean {
  if (now === undefined) return false;
  if (sent === undefined) return true;
  return Math.abs(now - sent) > share * sent;
}
