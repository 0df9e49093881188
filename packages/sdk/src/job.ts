/**
 * @module
 * A submitted job as the requester holds it: stream its results as they settle (each
 * exactly once, across reconnects and coordinator restarts), watch progress, wait for the
 * end, cancel, and fetch output files.
 */

import type {
  JobDiagnostics,
  JobEvent,
  JobProgress,
  JobState,
  JobView,
  OutputRef,
  ResultPage,
  TaskResult,
} from '@anygrid/protocol';
import type { HttpClient } from './http-client.js';
import { followJobEventBatches, followJobEvents } from './job-events.js';
import {
  type BlobFetcher,
  decodeInline,
  decodeResult,
  type JobResult,
  outputBytes,
} from './job-result.js';
import { Backoff, type RetryPolicy } from './retry.js';

const PROGRESS_ONLY_CURSOR = 2_147_483_647;

/** Options of `job.results()`. */
export interface ResultsOptions {
  /** Resume after this result cursor (a `JobResult.cursor`); default 0, from the start. */
  readonly after?: number;
  /** false: yield only the results settled now, without waiting for the rest (default true). */
  readonly follow?: boolean;
  readonly signal?: AbortSignal;
}

/** Options of `job.wait()`. */
export interface WaitOptions {
  /** Called with each progress update the coordinator pushes. */
  readonly onProgress?: (update: { state: JobState; progress: JobProgress }) => void;
  readonly signal?: AbortSignal;
}

/** Options of `job.resultPage()`. */
export interface PageOptions {
  readonly after?: number;
  readonly limit?: number;
  readonly signal?: AbortSignal;
}

/** A handle on one job; cheap to create, it holds no connection until used. */
export class Job {
  constructor(
    /** The job's id. */
    readonly id: number,
    private readonly http: HttpClient,
    private readonly fetchBlob: BlobFetcher,
    private readonly retry: RetryPolicy | undefined,
  ) {}

  /** The job as the coordinator sees it now. */
  view(signal?: AbortSignal): Promise<JobView> {
    return this.http.json<JobView>({ path: `/v1/jobs/${this.id}`, signal });
  }

  /** The job's progress counts now. */
  async progress(signal?: AbortSignal): Promise<JobProgress> {
    return (await this.view(signal)).progress;
  }

  /**
   * Why the job's tasks are (not) running: per requirement, how many connected hosts fail
   * it, and what else holds them back (`GET /v1/jobs/{id}/diagnostics`).
   */
  diagnostics(signal?: AbortSignal): Promise<JobDiagnostics> {
    return this.http.json<JobDiagnostics>({ path: `/v1/jobs/${this.id}/diagnostics`, signal });
  }

  /** Cancels the job's unsettled tasks and returns the job's view. */
  cancel(signal?: AbortSignal): Promise<JobView> {
    return this.http.json<JobView>({ method: 'POST', path: `/v1/jobs/${this.id}/cancel`, signal });
  }

  /** One page of settled results, in settlement order, undecoded. */
  resultPage(options: PageOptions = {}): Promise<ResultPage> {
    const q = `after=${options.after ?? 0}&limit=${options.limit ?? 1000}`;
    return this.http.json<ResultPage>({
      path: `/v1/jobs/${this.id}/results?${q}`,
      signal: options.signal,
    });
  }

  /**
   * Yields each settled task's result exactly once, as it settles, until the job is
   * finished and every result was delivered; a task whose result was later corrected
   * (`corrected: true`, a later cursor) is yielded again with its new result. Reconnects with backoff through dropped
   * connections and coordinator restarts, resuming after the last cursor.
   */
  async *results(options: ResultsOptions = {}): AsyncGenerator<JobResult> {
    const delivered = new Delivered();
    let cursor = options.after ?? 0;
    if (options.follow === false) {
      yield* this.catchUp(cursor, delivered, options.signal);
      return;
    }
    const batches = followJobEventBatches(this.http, this.id, {
      after: cursor,
      signal: options.signal,
      retry: this.retry,
    });
    follow: for await (const batch of batches) {
      for (const ev of batch) {
        if (ev.type === 'progress') {
          if (ev.state !== 'running') break follow;
          continue;
        }
        cursor = Math.max(cursor, ev.result.cursor);
        if (!delivered.first(ev.result)) continue;
        // Inline outputs decode at once; only results with outputs in blobs wait for a fetch.
        yield decodeInline(ev.result) ?? (await decodeResult(ev.result, this.fetchBlob));
      }
    }
    // The job is finished; results the stream had not sent yet are paged in.
    yield* this.catchUp(cursor, delivered, options.signal);
  }

  private async *catchUp(
    after: number,
    delivered: Delivered,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<JobResult> {
    let cursor = after;
    const backoff = new Backoff(this.retry);
    for (;;) {
      let page: ResultPage;
      try {
        page = await this.resultPage({ after: cursor, signal });
        backoff.reset();
      } catch (err) {
        await backoff.wait(err, signal);
        continue;
      }
      for (const r of page.results) {
        if (!delivered.first(r)) continue;
        yield decodeInline(r) ?? (await decodeResult(r, this.fetchBlob));
      }
      if (page.done || page.results.length === 0 || page.next <= cursor) return;
      cursor = page.next;
    }
  }

  /** Resolves with the final view once the job is completed or cancelled. */
  async wait(options: WaitOptions = {}): Promise<JobView> {
    const first = await this.view(options.signal);
    options.onProgress?.({ state: first.state, progress: first.progress });
    if (first.state !== 'running') return first;
    // A cursor past every result asks for progress events only: waiting on a big job
    // must not download all of its results. (2^31-1 rather than 2^53-1 so that a store
    // with 32-bit cursor columns accepts it.)
    const events = followJobEvents(this.http, this.id, {
      after: PROGRESS_ONLY_CURSOR,
      signal: options.signal,
      retry: this.retry,
    });
    for await (const ev of events) {
      if (ev.type !== 'progress') continue;
      options.onProgress?.({ state: ev.state, progress: ev.progress });
      if (ev.state !== 'running') break;
    }
    return this.view(options.signal);
  }

  /** The job's raw events (results and progress), resuming across reconnects. */
  events(options: ResultsOptions = {}): AsyncGenerator<JobEvent> {
    return followJobEvents(this.http, this.id, { ...options, retry: this.retry });
  }

  /** Decodes a wire result (from `resultPage`) as `results()` yields it. */
  decode(raw: TaskResult): Promise<JobResult> {
    return decodeResult(raw, this.fetchBlob);
  }

  /** The bytes of any output (a file, a candidate's stdout): inline or fetched by hash. */
  output(ref: OutputRef | null): Promise<Uint8Array> {
    return outputBytes(ref, this.fetchBlob);
  }

  /** The bytes of one of a result's output files. */
  async file(result: Pick<JobResult, 'files'>, name: string): Promise<Uint8Array> {
    const ref: OutputRef | undefined = result.files[name];
    if (!ref) throw new Error(`The result has no output file named ${JSON.stringify(name)}.`);
    return outputBytes(ref, this.fetchBlob);
  }
}

/**
 * Which results were yielded: each task's cursor. A replayed result (same cursor, after a
 * reconnect) is skipped; a correction (a later cursor for the same task) is not.
 */
class Delivered {
  private readonly cursors = new Map<number, number>();

  /** Whether this result is new to the caller, remembering it if so. */
  first(r: Pick<TaskResult, 'taskId' | 'cursor'>): boolean {
    const seen = this.cursors.get(r.taskId);
    if (seen !== undefined && seen >= r.cursor) return false;
    this.cursors.set(r.taskId, r.cursor);
    return true;
  }
}
