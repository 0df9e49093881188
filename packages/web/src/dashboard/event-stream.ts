/**
 * @module
 * Follows `GET /v1/events` with fetch rather than EventSource: EventSource cannot send an
 * Authorization header, and a token in the URL would end up in logs and history. The
 * body is parsed as server-sent events by eventsource-parser; a dropped connection is
 * reopened with backoff (the coordinator's first events are a full picture, so nothing
 * is lost by a gap), and a refused token stops the stream for the user to enter another.
 */

import type { DashboardEvent } from '@anygrid/protocol';
import { createParser } from 'eventsource-parser';

export type StreamState = 'connecting' | 'live' | 'retrying' | 'refused';

export interface StreamHandlers {
  event(event: DashboardEvent): void;
  state(state: StreamState, detail?: string): void;
}

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 15_000;

/** Opens the stream; returns a function that closes it for good. */
export function openEventStream(token: string, handlers: StreamHandlers): () => void {
  const abort = new AbortController();
  let retryMs = FIRST_RETRY_MS;

  const connect = async (): Promise<void> => {
    handlers.state('connecting');
    const res = await fetch('/v1/events', {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: abort.signal,
    });
    if (res.status === 401 || res.status === 403) {
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      handlers.state('refused', body?.error?.message ?? 'The coordinator refused this token.');
      return;
    }
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    handlers.state('live');
    retryMs = FIRST_RETRY_MS;
    const parser = createParser({
      onEvent: (message) => handlers.event(JSON.parse(message.data) as DashboardEvent),
    });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
    throw new Error('the stream ended');
  };

  const loop = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      try {
        await connect();
        return; // refused
      } catch (err) {
        if (abort.signal.aborted) return;
        handlers.state('retrying', err instanceof Error ? err.message : String(err));
        await new Promise((resolve) => setTimeout(resolve, retryMs));
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      }
    }
  };
  void loop();
  return () => abort.abort();
}
