/**
 * Edge cases of result streaming that a real coordinator rarely produces on demand: a
 * stream cut mid-event, replayed results after a reconnect, a stream that ends without
 * a final progress event. A scripted HTTP server plays the coordinator's part.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TaskResult } from '@anygrid/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { Anygrid } from './anygrid.js';
import { HttpClient } from './http-client.js';
import { followJobEvents } from './job-events.js';

const result = (index: number, cursor: number): TaskResult => ({
  index,
  taskId: 100 + index,
  outcome: 'valid',
  exitCode: 0,
  stdout: { hash: 'a'.repeat(64), size: 2, data: btoa(`${index}\n`) },
  stderr: null,
  files: {},
  errors: [],
  candidates: [],
  cursor,
});

const view = (state: string) => ({
  id: 1,
  name: 'j',
  state,
  module: { hash: 'b'.repeat(64), size: 1 },
  policy: {},
  progress: { total: 3, pending: 0, valid: 3, failed: 0, noConsensus: 0, cancelled: 0 },
  createdAt: 0,
  finishedAt: state === 'running' ? null : 1,
});

const sse = (r: TaskResult) =>
  `id: ${r.cursor}\nevent: result\ndata: ${JSON.stringify({ type: 'result', result: r })}\n\n`;

let server: Server | undefined;
afterEach(() => server?.close());

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('job.results()', () => {
  it('resumes after a cut stream and yields replayed results only once', async () => {
    const connects: string[] = [];
    const url = await serve((req, res) => {
      if (req.url?.startsWith('/v1/jobs/1/events')) {
        connects.push(`${req.url} last=${req.headers['last-event-id']}`);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        if (connects.length === 1) {
          // Two results, then half an event, then the connection drops.
          res.write(sse(result(0, 1)) + sse(result(1, 2)));
          res.end('id: 3\nevent: result\ndata: {"type":"res');
          return;
        }
        // The server replays result 1 (at-least-once), then the rest and the end.
        res.write(sse(result(1, 2)) + sse(result(2, 3)));
        res.end(
          `event: progress\ndata: ${JSON.stringify({ type: 'progress', ...view('completed') })}\n\n`,
        );
        return;
      }
      if (req.url === '/v1/jobs/1') {
        res.end(JSON.stringify(view('running')));
        return;
      }
      if (req.url?.startsWith('/v1/jobs/1/results')) {
        res.end(JSON.stringify({ results: [], next: 3, done: true }));
        return;
      }
      res.statusCode = 404;
      res.end();
    });
    const job = new Anygrid({ url, token: 't', retry: { initialDelayMs: 10 } }).job(1);
    const got: string[] = [];
    for await (const r of job.results()) got.push(`${r.index}:${r.stdout}`);
    expect(got).toEqual(['0:0\n', '1:1\n', '2:2\n']);
    expect(connects[0]).toBe('/v1/jobs/1/events?after=0 last=0');
    expect(connects[1]).toBe('/v1/jobs/1/events?after=2 last=2');
  });

  it('ends when the stream closes on a finished job, paging in results it never sent', async () => {
    const url = await serve((req, res) => {
      if (req.url?.startsWith('/v1/jobs/1/events')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(sse(result(0, 1)));
        return;
      }
      if (req.url === '/v1/jobs/1') {
        res.end(JSON.stringify(view('completed')));
        return;
      }
      if (req.url === '/v1/jobs/1/results?after=1&limit=1000') {
        res.end(JSON.stringify({ results: [result(1, 2), result(2, 3)], next: 3, done: true }));
        return;
      }
      res.statusCode = 500;
      res.end();
    });
    const job = new Anygrid({ url, token: 't' }).job(1);
    const got: number[] = [];
    for await (const r of job.results()) got.push(r.index);
    expect(got).toEqual([0, 1, 2]);
  });

  it('yields a corrected result again, and a replayed one only once', async () => {
    const url = await serve((req, res) => {
      if (req.url?.startsWith('/v1/jobs/1/events')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const fixed = { ...result(0, 3), stdout: null, corrected: true };
        res.end(sse(result(0, 1)) + sse(result(0, 1)) + sse(result(1, 2)) + sse(fixed));
        return;
      }
      if (req.url === '/v1/jobs/1') {
        res.end(JSON.stringify(view('completed')));
        return;
      }
      if (req.url === '/v1/jobs/1/results?after=3&limit=1000') {
        res.end(JSON.stringify({ results: [], next: 3, done: true }));
        return;
      }
      res.statusCode = 500;
      res.end();
    });
    const job = new Anygrid({ url, token: 't' }).job(1);
    const got: string[] = [];
    for await (const r of job.results()) got.push(`${r.index}:${r.cursor}:${r.corrected}`);
    expect(got).toEqual(['0:1:false', '1:2:false', '0:3:true']);
  });

  it('throws a non-retryable coordinator error instead of retrying', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { code: 'NOT_FOUND', message: 'No job 1 is visible to this token.' },
        }),
      );
    });
    const job = new Anygrid({ url, token: 't' }).job(1);
    await expect(job.results().next()).rejects.toMatchObject({
      code: 'NOT_FOUND',
      name: 'NotFoundError',
    });
  });

  it('stops when its signal aborts', async () => {
    const url = await serve((req, res) => {
      if (req.url?.startsWith('/v1/jobs/1/events')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(': open\n\n');
        return;
      }
      res.end(JSON.stringify(view('running')));
    });
    const abort = new AbortController();
    const job = new Anygrid({ url, token: 't' }).job(1);
    setTimeout(() => abort.abort(new Error('enough')), 50);
    await expect(job.results({ signal: abort.signal }).next()).rejects.toThrow('enough');
  });
});

describe('followJobEvents', () => {
  it('re-checks the job when a stream sends only keepalives, and ends once it is finished', async () => {
    let state = 'running';
    const url = await serve((req, res) => {
      if (req.url?.startsWith('/v1/jobs/1/events')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(
          `event: progress\ndata: ${JSON.stringify({ type: 'progress', ...view('running') })}\n\n`,
        );
        const timer = setInterval(() => res.write(': keepalive\n\n'), 20);
        res.on('close', () => clearInterval(timer));
        state = 'completed'; // the job finishes, but this stream never says so
        return;
      }
      res.end(JSON.stringify(view(state)));
    });
    const seen: string[] = [];
    for await (const ev of followJobEvents(new HttpClient(url, 't'), 1, { idleTimeoutMs: 150 })) {
      seen.push(ev.type === 'progress' ? ev.state : 'result');
    }
    // Under load the idle check may fire before the first event is read; either way the
    // follower must end, and end on the finished state.
    expect(seen.at(-1)).toBe('completed');
    expect(seen.slice(0, -1).every((s) => s === 'running')).toBe(true);
  });
});
