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
}

/** Fetches from one coordinator with one token. */
export class HttpClient {
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
        signal: req.signal,
      });
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason ?? err;
      throw new CoordinatorUnreachableError(this.url, err);
    }
    if (res.ok || okStatuses.includes(res.status)) return res;
    throw await errorFromResponse(res);
  }

  /** Sends a request and parses the JSON answer. */
  async json<T>(req: HttpRequest): Promise<T> {
    const res = await this.send(req);
    return (await res.json()) as T;
  }

  /** Sends a request and returns the answer's bytes. */
  async bytes(req: HttpRequest): Promise<Uint8Array> {
    const res = await this.send(req);
    return new Uint8Array(await res.arrayBuffer());
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
