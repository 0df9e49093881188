/**
 * @module
 * A `JsonTransport` over the global `fetch`, for hosts without `node:http`: the
 * volunteer page in a browser. Failures look as they do from `JsonHttp` (a
 * `NoAnswerError`), so `CoordinatorClient` sorts them the same way.
 */

import { type JsonAnswer, type JsonTransport, NoAnswerError } from './no-answer-error.js';

export class FetchJson implements JsonTransport {
  private readonly base: string;

  /**
   * `keepalive`: requests outlive the page (a tab closing hands its work back); the
   * browser caps such bodies at 64 KiB in all, so only small requests should use it.
   */
  constructor(
    baseUrl: string,
    private readonly keepalive = false,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  async request(
    method: string,
    path: string,
    body: string,
    headers: Record<string, string>,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<JsonAnswer> {
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: { ...headers, 'content-type': 'application/json' },
        body,
        keepalive: this.keepalive,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const code = timeout.aborted ? 'ETIMEDOUT' : 'ECONNREFUSED';
      throw new NoAnswerError(describe(error), code, false, { cause: error });
    }
    try {
      return { status: response.status, text: await response.text() };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new NoAnswerError('the answer broke off', 'ECONNRESET', true, { cause: error });
    }
  }

  /** Nothing to close: the browser owns the connections. */
  close(): void {}
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
