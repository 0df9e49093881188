import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DashboardEvent, JobTaskPage } from '@anygrid/protocol';
import { createParser } from 'eventsource-parser';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type Coordinator, startCoordinator } from '../src/index.js';

const MODULE = readFileSync(
  resolve(dirname(fileURLToPath(import.meta.url)), '../../../examples/trivial.wasm'),
);

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function coordinator(webDir?: string): Promise<Coordinator> {
  const c = await startCoordinator({
    dataDir: tempDir('anygrid-dash-'),
    port: 0,
    logger: pino({ level: 'silent' }),
    ...(webDir ? { webDir } : {}),
  });
  cleanups.push(() => c.close());
  return c;
}

function api(c: Coordinator, token?: string) {
  return async (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (body instanceof Uint8Array) headers['content-type'] = 'application/octet-stream';
    else if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${c.url}${path}`, {
      method,
      headers,
      body: (body instanceof Uint8Array || body === undefined ? body : JSON.stringify(body)) as
        | BodyInit
        | undefined,
    });
    const text = await res.text();
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, body: json, headers: res.headers };
  };
}

async function submit(c: Coordinator, token: string, tasks: number): Promise<number> {
  const call = api(c, token);
  const hash = createHash('sha256').update(MODULE).digest('hex');
  await call('PUT', `/v1/blobs/${hash}`, new Uint8Array(MODULE));
  const r = await call('POST', '/v1/jobs', {
    name: 'dash',
    module: { hash, size: MODULE.byteLength },
    tasks: Array.from({ length: tasks }, () => ({ args: [] })),
  });
  expect(r.status).toBe(201);
  return r.body.id as number;
}

/** Opens /v1/events and hands out its events, each checked against the protocol schema. */
async function events(c: Coordinator, token: string) {
  const abort = new AbortController();
  cleanups.push(() => abort.abort());
  const res = await fetch(`${c.url}/v1/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const queue: DashboardEvent[] = [];
  let wake: (() => void) | undefined;
  const parser = createParser({
    onEvent: (m) => {
      const event = DashboardEvent.parse(JSON.parse(m.data));
      expect(m.event).toBe(event.type);
      queue.push(event);
      wake?.();
    },
  });
  void (async () => {
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done || !value) return;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  })();
  return async function next(
    match: (e: DashboardEvent) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<DashboardEvent> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const i = queue.findIndex(match);
      if (i >= 0) return queue.splice(0, i + 1).at(-1) as DashboardEvent;
      if (Date.now() > until) throw new Error('no matching event in time');
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 200);
      });
    }
  };
}

describe('the dashboard API', () => {
  it('streams the newest jobs and counters, then the jobs that change, to their owner only', async () => {
    const c = await coordinator();
    const alice = await c.createToken('requester', 'alice');
    const bob = await c.createToken('requester', 'bob');
    const bobsJob = await submit(c, bob, 2);
    const first = await submit(c, alice, 3);

    const next = await events(c, alice);
    const opening = await next();
    expect(opening).toMatchObject({ type: 'jobs', full: true });
    expect(opening.type === 'jobs' && opening.jobs.map((j) => j.id)).toEqual([first]);
    const snapshot = await next();
    expect(snapshot.type === 'snapshot' && snapshot.snapshot.tasks.pending).toBe(3);

    const second = await submit(c, alice, 1);
    const delta = await next((e) => e.type === 'jobs');
    expect(delta).toMatchObject({ type: 'jobs', full: false });
    expect(delta.type === 'jobs' && delta.jobs.map((j) => j.id)).toEqual([second]);
    const after = await next((e) => e.type === 'snapshot' && e.snapshot.tasks.pending === 4);
    expect(after.type).toBe('snapshot');
    // Bob's job never reaches Alice.
    const bobs = api(c, alice);
    expect((await bobs('GET', `/v1/jobs/${bobsJob}/tasks`)).status).toBe(404);
  });

  it('refuses other roles and bad queries with a 4xx and a stable code', async () => {
    const c = await coordinator();
    const requester = await c.createToken('requester');
    const provider = await c.createToken('provider');
    const id = await submit(c, requester, 2);

    expect((await api(c)('GET', '/v1/events')).body.error.code).toBe('UNAUTHENTICATED');
    const refused = await api(c, provider)('GET', '/v1/events');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');

    const call = api(c, requester);
    for (const q of ['limit=0', 'limit=501', 'after=-2', 'only=some', 'page=2']) {
      const r = await call('GET', `/v1/jobs/${id}/tasks?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code, q).toBe('INVALID_REQUEST');
    }
    expect((await call('GET', '/v1/jobs/999/tasks')).status).toBe(404);
    const ok = await call('GET', `/v1/jobs/${id}/tasks?limit=1`);
    expect(ok.status).toBe(200);
    const page = JobTaskPage.parse(ok.body);
    expect(page.tasks.map((t) => [t.index, t.state, t.replicas.length])).toEqual([
      [0, 'active', 1],
    ]);
    expect(page.next).toBe(0);

    const doc = (await call('GET', '/v1/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/events', '/v1/jobs/{id}/tasks']),
    );
  });

  it('serves the built page at /dashboard and every path under it, and only assets from its folder', async () => {
    const web = tempDir('anygrid-web-');
    mkdirSync(join(web, 'assets'));
    writeFileSync(join(web, 'dashboard.html'), '<!doctype html><title>d</title>');
    writeFileSync(join(web, 'assets', 'dashboard-abc.js'), 'console.log(1)');
    writeFileSync(join(web, 'secret.js'), 'no');
    const c = await coordinator(web);
    const get = api(c);
    for (const path of ['/dashboard', '/dashboard/jobs/42']) {
      const r = await get('GET', path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-type')).toContain('text/html');
      expect(r.body).toContain('<title>d</title>');
      expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
    const asset = await get('GET', '/assets/dashboard-abc.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    for (const path of ['/assets/..%2Fsecret.js', '/assets/.hidden.js', '/assets/nope.js']) {
      const r = await get('GET', path);
      expect(r.status, path).toBe(404);
      expect(r.body.error.code).toBe('ROUTE_NOT_FOUND');
    }

    const bare = await coordinator(join(web, 'missing'));
    const r = await api(bare)('GET', '/dashboard');
    expect(r.status).toBe(404);
    expect(r.body.error.message).toContain('npm run build');
  });
});
