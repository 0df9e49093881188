/**
 * @module
 * A `JsonTransport` over several coordinators sharing one store (coordinator-urls.ts):
 * each request goes to the current coordinator through its own transport (kept-alive
 * sockets per coordinator); a request that got no answer moves the agent on to the next
 * one and fails as before, so the caller's retry (reports, heartbeats, pulls all retry)
 * reaches a coordinator that answers. Nothing is retried here: a request that went out
 * may have been acted on, and only the caller knows whether sending it again is safe.
 */

import type { CoordinatorUrls } from './coordinator-urls.js';
import { type JsonAnswer, type JsonTransport, NoAnswerError } from './no-answer-error.js';

export class FailoverJson implements JsonTransport {
  private readonly transports = new Map<string, JsonTransport>();

  constructor(
    private readonly urls: CoordinatorUrls,
    private readonly open: (baseUrl: string) => JsonTransport,
  ) {}

  async request(
    method: string,
    path: string,
    body: string,
    headers: Record<string, string>,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<JsonAnswer> {
    const url = this.urls.current;
    let transport = this.transports.get(url);
    if (!transport) {
      transport = this.open(url);
      this.transports.set(url, transport);
    }
    try {
      return await transport.request(method, path, body, headers, timeoutMs, signal);
    } catch (error) {
      if (error instanceof NoAnswerError) this.urls.failed(url);
      throw error;
    }
  }

  close(): void {
    for (const t of this.transports.values()) t.close();
  }
}
