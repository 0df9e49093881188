/**
 * @module
 * The agent's side of the provider HTTP API: one method per endpoint, bodies checked
 * against the `@anygrid/protocol` schemas in both directions, the bearer token on every
 * request. Failures are sorted once, here: no answer or a 408/429/5xx becomes a
 * `TransientError` (retry later), any other error status becomes the protocol's
 * `AnygridError` rebuilt from the error body (a client error; do not resend as is).
 * No retries happen here — the callers know what a retry means for them.
 */

import {
  type AbandonRequest,
  AbandonResponse,
  type BlobInventoryDeltaInput,
  BlobRef,
  type CheckpointRequest,
  CheckpointResponse,
  errorFromBody,
  type HeartbeatRequest,
  HeartbeatResponse,
  type RegisterHostRequestInput,
  RegisterHostResponse,
  type ReportBatch,
} from '@anygrid/protocol';
import type { CoordinatorUrls } from './coordinator-urls.js';
import { type JsonAnswer, type JsonTransport, NoAnswerError } from './no-answer-error.js';
import { ReportResponseReader } from './report-response.js';
import { isTransientStatus, TransientError } from './transient-error.js';
import { WorkResponseReader } from './work-response.js';

/** Bytes of a blob larger than expected, or whose hash differs: refused unused. */
export class BlobIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlobIntegrityError';
  }
}

/**
 * The bytes of one blob received so far. A download cut off midway keeps them, and the
 * next try asks only for the rest (`Range: bytes=received-`).
 */
export class PartialBlob {
  readonly bytes: Uint8Array;
  received = 0;

  constructor(readonly size: number) {
    this.bytes = new Uint8Array(size);
  }

  /** Forgets what was received (its whole turned out wrong, or the server sent all again). */
  reset(): void {
    this.received = 0;
  }
}

/** What the client reports of the host's large blobs with each work request. */
export interface InventorySource {
  /** Changes since the last confirmed report, or undefined when there are none. */
  delta(now: number): BlobInventoryDeltaInput | undefined;
  /** The coordinator took `delta`. */
  confirm(delta: BlobInventoryDeltaInput, now: number): void;
}

/** What the client needs of a zod schema: parsing an untrusted body into a typed value. */
interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: unknown };
}

export interface CoordinatorClientOptions {
  /** Base URL, e.g. http://127.0.0.1:7070. */
  readonly baseUrl: string;
  /**
   * Several coordinators sharing one store: blob transfers go to the current one, and one
   * that got no answer moves on to the next (the transport should be a `FailoverJson`
   * over the same list). `baseUrl` is then ignored.
   */
  readonly urls?: CoordinatorUrls;
  readonly token: string;
  /** Time allowed for one JSON request. */
  readonly requestTimeoutMs?: number;
  /** Time allowed for one blob transfer. */
  readonly blobTimeoutMs?: number;
  /**
   * How JSON requests travel: `new JsonHttp(baseUrl)` on Node (kept-alive sockets),
   * `new FetchJson(baseUrl)` in a browser. Blobs always go by `fetch`.
   */
  readonly transport: JsonTransport;
}

/** Typed calls to a coordinator on behalf of one provider token. */
export class CoordinatorClient {
  private readonly base: string;
  private readonly urls: CoordinatorUrls | undefined;
  private readonly token: string;
  private readonly requestTimeoutMs: number;
  private readonly blobTimeoutMs: number;
  private readonly workResponses = new WorkResponseReader();
  private readonly http: JsonTransport;
  /** This agent's host once registered: blob downloads name it, for per-host metrics. */
  hostId: number | undefined;
  /** Large blobs held, reported with work requests when set (data locality). */
  inventory: InventorySource | undefined;

  constructor(options: CoordinatorClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.urls = options.urls;
    this.token = options.token;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.blobTimeoutMs = options.blobTimeoutMs ?? 10 * 60_000;
    this.http = options.transport;
  }

  /** The coordinator calls go to now. */
  get baseUrl(): string {
    return this.urls?.current ?? this.base;
  }

  /** Closes kept-alive connections (the agent is stopping). */
  close(): void {
    this.http.close();
  }

  /** The Authorization header value, also used for the WebSocket upgrade. */
  get authorization(): string {
    return `Bearer ${this.token}`;
  }

  register(body: RegisterHostRequestInput, signal?: AbortSignal) {
    return this.json('POST', '/v1/hosts', body, RegisterHostResponse, signal);
  }

  /** Asks for up to `max` assignments; `bufferSeconds` is the work buffer per slot the host wants. */
  async work(hostId: number, max: number, signal?: AbortSignal, bufferSeconds?: number) {
    const blobs = this.inventory?.delta(Date.now());
    const body = {
      hostId,
      max,
      ...(blobs ? { blobs } : {}),
      ...(bufferSeconds === undefined ? {} : { bufferSeconds }),
    };
    const answer = await this.json('POST', '/v1/work', body, this.workResponses, signal);
    if (blobs) this.inventory?.confirm(blobs, Date.now());
    return answer;
  }

  report(batch: ReportBatch, signal?: AbortSignal) {
    return this.json('POST', '/v1/reports', batch, ReportResponseReader, signal);
  }

  heartbeat(body: HeartbeatRequest, signal?: AbortSignal) {
    return this.json('POST', '/v1/heartbeat', body, HeartbeatResponse, signal);
  }

  checkpoint(body: CheckpointRequest, signal?: AbortSignal) {
    return this.json('POST', '/v1/checkpoints', body, CheckpointResponse, signal);
  }

  abandon(body: AbandonRequest, signal?: AbortSignal) {
    return this.json('POST', '/v1/abandon', body, AbandonResponse, signal);
  }

  /** Uploads bytes under their hash (idempotent: a known blob answers 200). */
  async putBlob(hash: string, bytes: Uint8Array, signal?: AbortSignal): Promise<BlobRef> {
    const response = await this.send(
      `/v1/blobs/${hash}`,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes as Uint8Array<ArrayBuffer>,
      },
      this.blobTimeoutMs,
      signal,
    );
    return parseBody(BlobRef, await readJson(response, signal), 'PUT /v1/blobs');
  }

  /**
   * Downloads a blob into `partial`, from where an earlier try stopped (a Range request),
   * refusing it as soon as it grows past `size`, and checks the total size at the end.
   * A transfer that breaks off is a `TransientError` and `partial` keeps what arrived.
   * The caller verifies the hash of the whole.
   */
  async getBlob(
    hash: string,
    size: number,
    signal?: AbortSignal,
    partial: PartialBlob = new PartialBlob(size),
  ): Promise<Uint8Array> {
    const from = partial.received;
    const query = this.hostId === undefined ? '' : `?host=${this.hostId}`;
    const response = await this.send(
      `/v1/blobs/${hash}${query}`,
      { method: 'GET', headers: from > 0 ? { range: `bytes=${from}-` } : {} },
      this.blobTimeoutMs,
      signal,
    );
    if (response.status === 206) {
      const range = response.headers.get('content-range');
      if (range !== `bytes ${from}-${size - 1}/${size}`) {
        await response.body?.cancel();
        throw new BlobIntegrityError(`Blob ${hash} came back as range ${range}, not from ${from}.`);
      }
    } else {
      // A whole answer (a server that ignores Range): start again from byte 0.
      partial.reset();
      const declared = response.headers.get('content-length');
      if (declared !== null && Number(declared) !== size) {
        await response.body?.cancel();
        throw new BlobIntegrityError(`Blob ${hash} is ${declared} bytes, expected ${size}.`);
      }
    }
    try {
      return await readInto(response, hash, partial);
    } catch (error) {
      if (signal?.aborted || error instanceof BlobIntegrityError) throw error;
      throw new TransientError(
        `Blob ${hash} download broke off after ${partial.received} of ${size} bytes: ${describe(error)}`,
        { cause: error },
      );
    }
  }

  private async json<T>(
    method: string,
    path: string,
    body: unknown,
    schema: Schema<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    let answer: JsonAnswer;
    try {
      answer = await this.http.request(
        method,
        path,
        JSON.stringify(body),
        { authorization: this.authorization },
        this.requestTimeoutMs,
        signal,
      );
    } catch (error) {
      if (signal?.aborted) throw error;
      const brokeOff = error instanceof NoAnswerError && error.answered;
      throw new TransientError(
        `${brokeOff ? 'The answer broke off' : 'No answer from the coordinator'}: ${describe(error)}`,
        { cause: error },
      );
    }
    const parsed = parseJson(answer.text);
    if (answer.status < 200 || answer.status >= 300) throw errorOf(answer.status, parsed);
    return parseBody(schema, parsed, `${method} ${path}`);
  }

  /** One request; resolves only with a 2xx response. */
  private async send(
    path: string,
    init: RequestInit,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const base = this.baseUrl;
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: this.authorization },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      this.urls?.failed(base);
      throw new TransientError(`No answer from the coordinator: ${describe(error)}`, {
        cause: error,
      });
    }
    if (response.ok) return response;
    throw errorOf(response.status, await response.json().catch(() => undefined));
  }
}

/** The JSON body of a 2xx `fetch` answer; a connection lost while reading it is transient. */
async function readJson(response: Response, signal: AbortSignal | undefined): Promise<unknown> {
  try {
    return parseJson(await response.text());
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new TransientError(`The answer broke off: ${describe(error)}`, { cause: error });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The error a non-2xx answer stands for: transient (retry later) or the protocol's error. */
function errorOf(status: number, body: unknown): Error {
  const error = errorFromBody(status, body);
  if (isTransientStatus(status) || error.retryable) {
    return new TransientError(`HTTP ${status} ${error.code}: ${error.message}`, {
      status,
      cause: error,
    });
  }
  return error;
}

async function readInto(
  response: Response,
  hash: string,
  partial: PartialBlob,
): Promise<Uint8Array> {
  const { bytes, size } = partial;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (partial.received + value.byteLength > size) {
        await reader.cancel();
        throw new BlobIntegrityError(`Blob ${hash} is larger than its ${size} bytes.`);
      }
      bytes.set(value, partial.received);
      partial.received += value.byteLength;
    }
  }
  if (partial.received !== size) {
    throw new BlobIntegrityError(`Blob ${hash} ended after ${partial.received} of ${size} bytes.`);
  }
  return bytes;
}

function parseBody<T>(schema: Schema<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  // A coordinator speaking another protocol version: not the provider's fault, and
  // retrying will not help, so it surfaces as a plain error for the caller to log.
  throw new Error(`The coordinator's answer to ${what} does not match the protocol.`, {
    cause: parsed.error,
  });
}

/** A short description of a network failure (fetch hides the useful part in `cause`). */
function describe(error: unknown): string {
  if (error instanceof NoAnswerError) return error.code;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (error instanceof Error) return error.message;
  return String(error);
}
