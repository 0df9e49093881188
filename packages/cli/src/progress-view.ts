/**
 * @module
 * How `submit --wait` shows a job's progress: a cli-progress bar (settled/total, valid,
 * failed, rate, ETA) on a terminal, plain lines every few seconds otherwise (CI logs),
 * nothing under `--json`. Everything goes to stderr so stdout stays for results.
 */

import type { JobProgress, JobState } from '@anygrid/protocol';
import cliProgress from 'cli-progress';
import { formatDuration } from './output.js';

/** A progress update as `job.wait()` reports it. */
export interface ProgressUpdate {
  readonly state: JobState;
  readonly progress: JobProgress;
}

/** Something that shows progress updates. */
export interface ProgressView {
  update(u: ProgressUpdate): void;
  /** Prints a line of news (a lost coordinator) under what is shown, even under --json. */
  say(line: string): void;
  stop(): void;
}

/** News goes to stderr, as progress does: stdout stays one document. */
function sayLine(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Settled tasks of a progress: everything that is no longer pending. */
export function settled(p: JobProgress): number {
  return p.valid + p.failed + p.noConsensus + p.cancelled;
}

/** Settling rate over a sliding window, and the ETA it implies. */
export class RateMeter {
  private samples: { t: number; n: number }[] = [];

  constructor(private readonly windowMs = 10_000) {}

  /** Records `n` settled at time `t` and returns the rate per second and ETA in ms. */
  sample(n: number, total: number, t = Date.now()): { rate: number; etaMs: number } {
    this.samples.push({ t, n });
    while (this.samples.length > 2 && t - (this.samples[0]?.t ?? t) > this.windowMs) {
      this.samples.shift();
    }
    const first = this.samples[0] ?? { t, n };
    const dt = (t - first.t) / 1000;
    const rate = dt > 0 ? (n - first.n) / dt : 0;
    const etaMs = rate > 0 ? ((total - n) / rate) * 1000 : Number.POSITIVE_INFINITY;
    return { rate, etaMs };
  }
}

/** The progress view for the current output: bar, lines or nothing. */
export function createProgressView(opts: { json: boolean; tty: boolean }): ProgressView {
  if (opts.json) return { update() {}, say: sayLine, stop() {} };
  return opts.tty ? barView() : lineView();
}

function barView(): ProgressView {
  const bar = new cliProgress.SingleBar(
    {
      // Short enough for an 80-column terminal, which cli-progress truncates to.
      format:
        '{bar} {percentage}% {value}/{total} | valid {valid} failed {failed} | {rate}/s ETA {etaText}',
      barsize: 20,
      hideCursor: true,
      stream: process.stderr,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const meter = new RateMeter();
  let started = false;
  return {
    update({ progress }) {
      const n = settled(progress);
      const { rate, etaMs } = meter.sample(n, progress.total);
      const payload = {
        valid: progress.valid,
        failed: progress.failed + progress.noConsensus,
        rate: rate.toFixed(1),
        etaText: n >= progress.total ? '0s' : formatDuration(etaMs),
      };
      if (!started) {
        bar.start(progress.total, n, payload);
        started = true;
      } else {
        bar.setTotal(progress.total);
        bar.update(n, payload);
      }
    },
    say(line) {
      // Below the bar, which its next redraw puts on the line after.
      sayLine(started ? `\n${line}` : line);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function lineView(intervalMs = 2000): ProgressView {
  const meter = new RateMeter();
  let lastPrinted = 0;
  let lastLine = '';
  return {
    update({ state, progress }) {
      const n = settled(progress);
      const { rate, etaMs } = meter.sample(n, progress.total);
      const now = Date.now();
      const final = state !== 'running' || n >= progress.total;
      if (!final && now - lastPrinted < intervalMs) return;
      const line =
        `progress: ${n}/${progress.total} settled (valid ${progress.valid}, failed ${progress.failed}` +
        `, no consensus ${progress.noConsensus}), ${rate.toFixed(1)}/s, ETA ${final ? '0s' : formatDuration(etaMs)}`;
      if (line === lastLine) return;
      lastPrinted = now;
      lastLine = line;
      process.stderr.write(`${line}\n`);
    },
    say: sayLine,
    stop() {},
  };
}
