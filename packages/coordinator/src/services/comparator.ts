/**
 * @module
 * The comparator service: gives replicas of jobs with a `numeric` or `validator`
 * comparator their group, outside any store transaction. It takes the oldest pending
 * replica of each task from the store, compares it with the task's representatives (the
 * first replica of each group so far), and applies the verdict in a second transaction
 * that re-decides the task. Everything it needs is in the store, so after a crash it
 * simply finds the same pending replicas again. A validator that fails — loops, crashes,
 * answers garbage — ends the task `no_consensus`.
 */

import { ModuleError } from '@anygrid/runtime';
import type { Logger } from 'pino';
import type { BlobStore } from '../blobs/blob-store.js';
import { readValidatorAnswer, restIsEqual, sourceOf, sourcesAgree } from '../policy/index.js';
import type { ComparisonVerdict, PendingComparison, Store } from '../store/store.js';
import { ComparisonError } from './comparison-error.js';
import type { Metrics } from './metrics.js';
import { checkComparedSize, outputBytes } from './output-bytes.js';
import type { Scheduler } from './scheduler.js';
import type { ValidatorRunner } from './validator-runner.js';

/** Pending replicas taken per store read. */
const BATCH = 100;

/** Store reads per sweep: a sweep ends even if verdicts keep going stale. */
const MAX_ROUNDS = 10;

/** Unexpected errors comparing one replica before its comparison counts as failed. */
const MAX_ATTEMPTS = 3;

export class Comparator {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** Unexpected errors per pending replica; in memory only, so a restart tries again. */
  private readonly attempts = new Map<number, number>();

  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly scheduler: Scheduler,
    private readonly validators: ValidatorRunner,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Compares every pending replica the store holds now; returns how many verdicts were applied. */
  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let done = 0;
    try {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const pending = await this.store.pendingComparisons(BATCH);
        for (const p of pending) {
          const verdict = await this.verdict(p);
          this.scheduler.publish(await this.store.applyComparison(verdict, Date.now()));
          this.attempts.delete(verdict.replicaId);
          if (p.active) this.metrics.comparisons.inc({ verdict: verdictName(verdict) });
          done++;
        }
        if (pending.length < BATCH) break;
      }
    } catch (err) {
      this.log.error({ err }, 'comparison sweep failed; retrying next tick');
    } finally {
      this.running = false;
    }
    return done;
  }

  private async verdict(p: PendingComparison): Promise<ComparisonVerdict> {
    const base = {
      replicaId: p.candidate.replicaId,
      against: p.representatives.map((r) => r.replicaId),
    };
    if (!p.active) return { ...base, agreesWith: null };
    try {
      return { ...base, agreesWith: await this.firstAgreeing(p) };
    } catch (err) {
      if (!(err instanceof ComparisonError) && !(err instanceof ModuleError)) {
        // Retried next sweep, but a replica that always breaks the comparison must not
        // keep its task open for ever.
        const attempts = (this.attempts.get(base.replicaId) ?? 0) + 1;
        this.attempts.set(base.replicaId, attempts);
        if (attempts < MAX_ATTEMPTS) throw err;
        this.log.error({ task: p.taskId, err }, 'comparison failed repeatedly');
        return { ...base, failed: 'the comparison failed repeatedly' };
      }
      this.log.warn({ task: p.taskId, err: err.message }, 'comparison failed');
      return { ...base, failed: err.message };
    }
  }

  /** The representative the candidate agrees with, or null. */
  private async firstAgreeing(p: PendingComparison): Promise<number | null> {
    const { compare, candidate, representatives } = p;
    if (compare.kind === 'numeric') {
      const mine = sourceOf(candidate.outputs, compare.source);
      for (const rep of representatives) {
        if (!restIsEqual(candidate.outputs, rep.outputs, compare.source)) continue;
        const theirs = sourceOf(rep.outputs, compare.source);
        checkComparedSize([mine, theirs]);
        const [a, b] = await Promise.all([
          outputBytes(this.blobs, mine),
          outputBytes(this.blobs, theirs),
        ]);
        if (sourcesAgree(a, b, compare)) return rep.replicaId;
      }
      return null;
    }
    if (compare.kind !== 'validator' || representatives.length === 0) return null;
    const candidates = [candidate.outputs, ...representatives.map((r) => r.outputs)];
    checkComparedSize(candidates.flatMap((c) => [c.stdout, ...Object.values(c.files)]));
    const result = await this.validators.run(compare, candidates);
    if (result.exitCode !== 0 || result.failure) {
      throw new ComparisonError(
        `validator ${result.failure ? `failed (${result.failure.code})` : `exited with ${result.exitCode}`}`,
      );
    }
    const answer = readValidatorAnswer(result.stdout, candidates.length);
    if (!answer.ok) throw new ComparisonError(`validator's ${answer.reason}`);
    const first = answer.agreeing[0];
    return first === undefined ? null : (representatives[first - 1]?.replicaId ?? null);
  }
}

function verdictName(verdict: ComparisonVerdict): 'agree' | 'disagree' | 'failed' {
  if ('failed' in verdict) return 'failed';
  return verdict.agreesWith === null ? 'disagree' : 'agree';
}
