/**
 * @module
 * The one place the SDK talks HTTP: it joins paths onto the coordinator URL, adds the
 * bearer token, turns non-2xx answers into the coordinator's own error classes with
 * `errorFromBody`, and network failures into a `CoordinatorUnreachableError`. Only the
 * global `fetch` is used, so this runs in browsers too.
 */

import { type AnygridError, errorFromBody } from '@anygrid/protocol';
import { CoordinatorUnreachableError } from './coordinator-unreachable-error.js';

/** A request the client sends. */
export interface HttpRequest {
  readonly method?: string;
  /** Path and query, starting with `/`. */
  readonly path: string;
  /** Sent as JSON. */
  readonly json?: unknown;
  /** Sent as `application/octet-stream`. */
  readonly bytes?: Uint8Array;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
  /** Give up on an answer (headers and body) after this long; default none. */
  readonly timeoutMs?: number;
}

/** How long a read (GET/HEAD) may take before the coordinator counts as unreachable. */
export const READ_TIMEOUT_MS = 60_000;

/** Fetches from one coordinator with one token. */
export class HttpClient {
  /**
   * Whether the coordinator ever answered this client: a failure to connect after that is
   * an outage worth waiting out; before it, most likely a wrong address or no coordinator.
   */
  answered = false;

  constructor(
    /** Base URL without a trailing slash. */
    readonly url: string,
    private readonly token: string | undefined,
  ) {}

  /** Sends a request and returns the response when it is 2xx (or one of `okStatuses`). */
  async send(req: HttpRequest, okStatuses: readonly number[] = []): Promise<Response> {
    const headers: Record<string, string> = { ...req.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: BodyInit | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.bytes !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      body = req.bytes as Uint8Array<ArrayBuffer>;
    }
    let res: Response;
    try {
      res = await fetch(this.url + req.path, {
        method: req.method ?? 'GET',
        headers,
        body,
        signal: withTimeout(req),
      });
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason ?? err;
      throw new CoordinatorUnreachableError(this.url, err);
    }
    this.answered = true;
    if (res.ok || okStatuses.includes(res.status)) return res;
    throw await errorFromResponse(res);
  }

  /** Sends a request and parses the JSON answer; reads time out after READ_TIMEOUT_MS. */
  async json<T>(req: HttpRequest): Promise<T> {
    const timed =
      isRead(req) && req.timeoutMs === undefined ? { ...req, timeoutMs: READ_TIMEOUT_MS } : req;
    const res = await this.send(timed);
    return (await this.body(res, timed, () => res.json())) as T;
  }

  /** Sends a request and returns the answer's bytes. */
  async bytes(req: HttpRequest): Promise<Uint8Array> {
    const res = await this.send(req);
    return new Uint8Array(await this.body(res, req, () => res.arrayBuffer()));
  }

  /** Reads a body, reporting a connection cut mid-body like one that never answered. */
  private async body<T>(res: Response, req: HttpRequest, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason ?? err;
      if (res.bodyUsed && err instanceof SyntaxError) throw err;
      throw new CoordinatorUnreachableError(this.url, err);
    }
  }
}

/** Rebuilds the coordinator's error class from a non-2xx response. */
export async function errorFromResponse(res: Response): Promise<AnygridError> {
  let body: unknown = null;
  try {
    const text = await res.text();
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return errorFromBody(res.status, body);
}

function isRead(req: HttpRequest): boolean {
  const method = req.method ?? 'GET';
  return method === 'GET' || method === 'HEAD';
}

/** The request's own signal, combined with its timeout when it has one. */
function withTimeout(req: HttpRequest): AbortSignal | undefined {
  if (req.timeoutMs === undefined) return req.signal;
  const timeout = AbortSignal.timeout(req.timeoutMs);
  return req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
}
