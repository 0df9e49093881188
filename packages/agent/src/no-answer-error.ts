/**
 * @module
 * What a JSON transport answers, and why a request got no complete answer. Apart from
 * `json-http.ts` (Node's kept-alive sockets) so that `fetch-json.ts` and the browser
 * build share them without importing `node:http`.
 */

/** The status and text of an answer. */
export interface JsonAnswer {
  readonly status: number;
  readonly text: string;
}

/** Why a request got no complete answer: `code` as Node names it (ECONNREFUSED, …). */
export class NoAnswerError extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** The request went out and the answer began: it may have been acted on. */
    readonly answered: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NoAnswerError';
  }
}

/** Sends JSON requests to one coordinator: `JsonHttp` on Node, `FetchJson` in a browser. */
export interface JsonTransport {
  /** Sends `body` (JSON text) and resolves with the status and text of the answer. */
  request(
    method: string,
    path: string,
    body: string,
    headers: Record<string, string>,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<JsonAnswer>;
  /** Closes idle connections. */
  close(): void;
}
