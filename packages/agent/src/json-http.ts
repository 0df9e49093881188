/**
 * @module
 * One JSON request over kept-alive `node:http`/`node:https` connections: the agent's
 * work and report calls, thousands of assignments a second. `fetch` cost ~2–3 µs more
 * per assignment here: a Request, Headers and two abort signals per call, and bodies
 * read through web streams and a TextDecoder. Blobs still travel by `fetch`, whose
 * streams suit them.
 */

import http from 'node:http';
import https from 'node:https';
import { type JsonAnswer, type JsonTransport, NoAnswerError } from './no-answer-error.js';

export { type JsonAnswer, NoAnswerError } from './no-answer-error.js';

export class JsonHttp implements JsonTransport {
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  private readonly url: URL;

  constructor(baseUrl: string) {
    this.url = new URL(baseUrl);
    const secure = this.url.protocol === 'https:';
    this.transport = secure ? https : http;
    this.agent = new (secure ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 16 });
  }

  /** Sends `body` (JSON text) and resolves with the status and text of the answer. */
  request(
    method: string,
    path: string,
    body: string,
    headers: Record<string, string>,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<JsonAnswer> {
    return new Promise<JsonAnswer>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let answered = false;
      const req = this.transport.request({
        protocol: this.url.protocol,
        // A URL keeps an IPv6 literal in brackets (`[::1]`); a socket wants it bare.
        hostname: this.url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: this.url.port,
        path: `${this.url.pathname.replace(/\/$/, '')}${path}`,
        method,
        agent: this.agent,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      });
      const timer = setTimeout(() => {
        req.destroy(new NoAnswerError(`no answer within ${timeoutMs} ms`, 'ETIMEDOUT', answered));
      }, timeoutMs);
      const onAbort = () => req.destroy(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      req.on('error', (error: NodeJS.ErrnoException) => {
        settle();
        if (signal?.aborted) reject(signal.reason);
        else if (error instanceof NoAnswerError) reject(error);
        else
          reject(new NoAnswerError(error.message, error.code ?? 'EIO', answered, { cause: error }));
      });
      req.on('response', (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => {
          settle();
          reject(new NoAnswerError('the answer broke off', 'ECONNRESET', true, { cause: error }));
        });
        res.on('end', () => {
          settle();
          const text =
            chunks.length === 1
              ? (chunks[0] as Buffer).toString('utf8')
              : Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, text });
        });
      });
      req.end(body);
    });
  }

  /** Closes idle connections. */
  close(): void {
    this.agent.destroy();
  }
}
