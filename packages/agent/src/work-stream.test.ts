import type { AddressInfo } from 'node:net';
import type { AgentMessage } from '@anygrid/protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { WorkStream } from './work-stream.js';

const logger = pino({ level: 'silent' });
const fast = { initialMs: 10, maxMs: 50, factor: 2, jitter: 0 };

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function server() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  const headers: Array<string | undefined> = [];
  const paths: Array<string | undefined> = [];
  wss.on('connection', (_ws, req) => {
    headers.push(req.headers.authorization);
    paths.push(req.url);
  });
  closers.push(() => wss.close());
  const port = (wss.address() as AddressInfo).port;
  return { wss, headers, paths, url: `http://127.0.0.1:${port}` };
}

async function until(what: string, probe: () => boolean) {
  const end = Date.now() + 5000;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function stream(url: string, messages: AgentMessage[], opens: { n: number }) {
  const s = new WorkStream({
    baseUrl: url,
    hostId: 42,
    authorization: 'Bearer secret',
    logger,
    backoff: fast,
    onMessage: (m) => messages.push(m),
    onOpen: () => {
      opens.n += 1;
    },
  });
  closers.push(() => s.close());
  return s;
}

describe('WorkStream', () => {
  it('connects to the host stream with the token and delivers protocol messages only', async () => {
    const srv = await server();
    const messages: AgentMessage[] = [];
    const opens = { n: 0 };
    const s = stream(srv.url, messages, opens);
    await until('connection', () => s.connected);
    expect(srv.paths).toEqual(['/v1/hosts/42/stream']);
    expect(srv.headers).toEqual(['Bearer secret']);
    for (const ws of srv.wss.clients) {
      ws.send('not json');
      ws.send(JSON.stringify({ type: 'launch-missiles' }));
      ws.send(JSON.stringify({ type: 'cancel', replicaIds: [7] }));
      ws.send(JSON.stringify({ type: 'work' }));
    }
    await until('messages', () => messages.length === 2);
    expect(messages).toEqual([{ type: 'cancel', replicaIds: [7] }, { type: 'work' }]);
  });

  it('reconnects after the coordinator drops the connection, announcing each new open', async () => {
    const srv = await server();
    const opens = { n: 0 };
    const s = stream(srv.url, [], opens);
    await until('first open', () => opens.n === 1);
    for (const ws of srv.wss.clients) ws.terminate();
    await until('second open', () => opens.n === 2);
    expect(s.connected).toBe(true);
  });

  it('stays closed once closed', async () => {
    const srv = await server();
    const opens = { n: 0 };
    const s = stream(srv.url, [], opens);
    await until('open', () => s.connected);
    s.close();
    await new Promise((r) => setTimeout(r, 150));
    expect(opens.n).toBe(1);
    expect(s.connected).toBe(false);
  });
});
