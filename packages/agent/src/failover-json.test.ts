import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { CoordinatorUrls } from './coordinator-urls.js';
import { FailoverJson } from './failover-json.js';
import { JsonHttp, NoAnswerError } from './json-http.js';

const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

/** A real server on 127.0.0.1 answering every request with its name. */
async function serving(name: string): Promise<string> {
  const server = createServer((_req, res) => res.end(JSON.stringify({ name })));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The URL of a port nobody listens on any more. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

describe('several coordinators for one agent', () => {
  it('moves on to the next coordinator after one got no answer, and stays there', async () => {
    const dead = await deadUrl();
    const b = await serving('b');
    const urls = new CoordinatorUrls([dead, `${b}/`]);
    const json = new FailoverJson(urls, (u) => new JsonHttp(u));
    const ask = () => json.request('GET', '/x', '', {}, 5_000);
    await expect(ask()).rejects.toBeInstanceOf(NoAnswerError);
    expect(urls.current).toBe(b);
    expect(JSON.parse((await ask()).text)).toEqual({ name: 'b' });
    expect(JSON.parse((await ask()).text)).toEqual({ name: 'b' });
    json.close();
  });

  it('moves once however many calls to one coordinator fail together', () => {
    const urls = new CoordinatorUrls(['http://a', 'http://b', 'http://c']);
    expect(urls.failed('http://a')).toBe(true);
    // Calls sent to a before the move fail late: they change nothing.
    expect(urls.failed('http://a')).toBe(false);
    expect(urls.current).toBe('http://b');
    expect(urls.failed('http://b')).toBe(true);
    expect(urls.failed('http://c')).toBe(true);
    expect(urls.current).toBe('http://a');
    // One coordinator: nowhere to go.
    const one = new CoordinatorUrls(['http://a']);
    expect(one.failed('http://a')).toBe(false);
    expect(() => new CoordinatorUrls([])).toThrow(RangeError);
  });
});
