/**
 * @module
 * Following a job's server-sent events (`GET /v1/jobs/{id}/events`) over `fetch`
 * streaming, surviving dropped connections and coordinator restarts: every reconnect
 * resumes after the last result cursor seen (`?after=` and `Last-Event-ID`), and a stream
 * that ends or sends no event for a while is checked against the job's state, so a
 * finished job always ends the stream with a final `progress` event even if the
 * coordinator never sent one.
 */

import type { JobEvent, JobView } from '@anygrid/protocol';
import type { HttpClient } from './http-client.js';
import { Backoff, type RetryPolicy } from './retry.js';
import { type SseEvent, SseParser } from './sse-parser.js';

/** Options of `followJobEvents`. */
export interface FollowOptions {
  /** Result cursor to resume after (default 0: from the start). */
  readonly after?: number;
  readonly signal?: AbortSignal;
  readonly retry?: RetryPolicy;
  /**
   * Re-check the job and reconnect when no event (keepalive comments do not count) arrived
   * for this long (default 20 s), so neither a dead connection nor a missed wakeup on the
   * coordinator can stall a follower forever.
   */
  readonly idleTimeoutMs?: number;
}

/**
 * Yields the job's events forever, reconnecting as needed; the caller stops iterating
 * once it sees a `progress` event whose state is not `running`.
 */
export async function* followJobEvents(
  http: HttpClient,
  jobId: number,
  options: FollowOptions = {},
): AsyncGenerator<JobEvent> {
  for await (const batch of followJobEventBatches(http, jobId, options)) yield* batch;
}

/**
 * `followJobEvents` a chunk at a time: the events that arrived together come as one
 * array, since each step through an async generator costs more than a small result.
 */
export async function* followJobEventBatches(
  http: HttpClient,
  jobId: number,
  options: FollowOptions = {},
): AsyncGenerator<JobEvent[]> {
  let cursor = options.after ?? 0;
  const backoff = new Backoff(options.retry);
  for (;;) {
    let received = 0;
    try {
      for await (const batch of streamOnce(http, jobId, cursor, options)) {
        received += batch.length;
        backoff.reset();
        for (const ev of batch)
          if (ev.type === 'result') cursor = Math.max(cursor, ev.result.cursor);
        yield batch;
      }
      // The stream ended or went quiet: a finished job ends here even without a final event.
      const view = await http.json<JobView>({ path: `/v1/jobs/${jobId}`, signal: options.signal });
      if (view.state !== 'running') {
        yield [{ type: 'progress', state: view.state, progress: view.progress }];
        return;
      }
      // A stream that yields nothing (closed at once, or only keepalives) backs off more
      // each time, so it never becomes a hot loop; but a job whose tasks simply run long
      // is healthy, so this never counts towards giving up.
      if (received === 0) await backoff.pause(options.signal);
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason ?? err;
      await backoff.wait(err, options.signal);
    }
  }
}

/** One connection: yields the parsed events of each chunk until the body ends or stays idle too long. */
async function* streamOnce(
  http: HttpClient,
  jobId: number,
  after: number,
  options: FollowOptions,
): AsyncGenerator<JobEvent[]> {
  const conn = new AbortController();
  const onAbort = () => conn.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const idleMs = options.idleTimeoutMs ?? 20_000;
  let idle: ReturnType<typeof setTimeout> | undefined;
  let idledOut = false;
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      idledOut = true;
      conn.abort(new Error('idle'));
    }, idleMs);
  };
  try {
    arm();
    const res = await http.send({
      path: `/v1/jobs/${jobId}/events?after=${after}`,
      headers: { accept: 'text/event-stream', 'last-event-id': String(after) },
      signal: conn.signal,
    });
    if (!res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (idledOut) return;
        throw err;
      }
      if (chunk.done) break;
      const batch: JobEvent[] = [];
      for (const sse of parser.push(decoder.decode(chunk.value, { stream: true }))) {
        const ev = toJobEvent(sse);
        if (ev) batch.push(ev);
      }
      if (batch.length === 0) continue;
      arm();
      yield batch;
    }
  } catch (err) {
    if (idledOut && !options.signal?.aborted) return;
    throw err;
  } finally {
    clearTimeout(idle);
    options.signal?.removeEventListener('abort', onAbort);
    conn.abort();
  }
}

/** Reads a JobEvent from an SSE event; the data is the event JSON, its name the type. */
export function toJobEvent(sse: SseEvent): JobEvent | undefined {
  let data: unknown;
  try {
    data = JSON.parse(sse.data);
  } catch {
    return undefined;
  }
  if (!data || typeof data !== 'object') return undefined;
  const obj = data as Record<string, unknown>;
  const type = typeof obj.type === 'string' ? obj.type : sse.event;
  if (type === 'result') {
    const result = 'result' in obj ? obj.result : obj;
    return { type, result } as JobEvent;
  }
  if (type === 'progress') return { ...obj, type } as JobEvent;
  return undefined;
}
