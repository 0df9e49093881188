/**
 * The agent against a real coordinator started in this process (nothing of ours is
 * mocked): it runs prime-count tasks end to end, keeps its reports through a
 * coordinator restart, hands back running work when stopped gracefully, and never
 * reports a replica the coordinator cancelled.
 */

import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Coordinator, startCoordinator } from '@anygrid/coordinator';
import type { ResultPage } from '@anygrid/protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type Agent, type BufferSeconds, bufferSeconds, startAgent } from '../src/index.js';

const EXAMPLES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../examples');
const silent = pino({ level: 'silent' });
/** Set AGENT_TEST_LOG=debug to see what the agents do. */
const agentLog = pino({ level: process.env.AGENT_TEST_LOG ?? 'silent' });

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'anygrid-agent-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function coordinator(dataDir: string, port = 0): Promise<Coordinator> {
  const c = await startCoordinator({ dataDir, port, logger: silent, heartbeatMs: 500 });
  cleanups.push(() => c.close().catch(() => {}));
  return c;
}

async function agent(
  c: Coordinator,
  token: string,
  slots: number,
  cacheDir?: string,
  bufferSeconds?: BufferSeconds,
): Promise<Agent> {
  const a = await startAgent({
    coordinator: c.url,
    token,
    slots,
    logger: agentLog,
    cacheDir,
    ...(bufferSeconds ? { bufferSeconds } : {}),
  });
  cleanups.push(() => a.stop({ graceful: false }));
  return a;
}

/** A bare HTTP client for the requester side and for posing as a second host. */
function http(url: () => string, token: string) {
  return async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const bytes = body instanceof Uint8Array;
    const res = await fetch(url() + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined
          ? {}
          : { 'content-type': bytes ? 'application/octet-stream' : 'application/json' }),
      },
      body:
        body === undefined
          ? undefined
          : bytes
            ? (body as Uint8Array<ArrayBuffer>)
            : JSON.stringify(body),
    });
    const parsed = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(parsed)}`);
    return parsed;
  };
}

type Http = ReturnType<typeof http>;

async function upload(request: Http, name: string) {
  const bytes = new Uint8Array(readFileSync(join(EXAMPLES, name)));
  const hash = createHash('sha256').update(bytes).digest('hex');
  await request('PUT', `/v1/blobs/${hash}`, bytes);
  return { hash, size: bytes.byteLength };
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T> | T,
  timeoutMs = 60_000,
): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function countPrimes(start: number, end: number): number {
  let n = 0;
  for (let p = Math.max(2, start); p < end; p++) {
    let prime = true;
    for (let d = 2; d * d <= p; d++) {
      if (p % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) n++;
  }
  return n;
}

const stdoutOf = (r: { stdout: { data?: string | undefined } | null }) =>
  Buffer.from(r.stdout?.data ?? '', 'base64').toString('utf8');

async function setup(dataDir = tempDir()) {
  const c = await coordinator(dataDir);
  const admin = http(() => c.url, c.adminToken);
  const provider = (await admin<{ token: string }>('POST', '/v1/tokens', { role: 'provider' }))
    .token;
  const requesterToken = (
    await admin<{ token: string }>('POST', '/v1/tokens', { role: 'requester' })
  ).token;
  return { c, dataDir, provider, requesterToken };
}

async function submit(
  request: Http,
  module: { hash: string; size: number },
  tasks: string[][],
  policy: object = {},
) {
  return request<{ id: number }>('POST', '/v1/jobs', {
    module,
    policy,
    tasks: tasks.map((args) => ({ args })),
  });
}

async function finished(request: Http, jobId: number, timeoutMs = 60_000) {
  return waitFor(
    `job ${jobId}`,
    async () => {
      const job = await request<{ state: string; progress: Record<string, number> }>(
        'GET',
        `/v1/jobs/${jobId}`,
      );
      return job.state === 'running' ? undefined : job;
    },
    timeoutMs,
  );
}

describe('startAgent against a real coordinator', () => {
  it('registers, runs prime counts in the sandbox, reports them, and fetches the module once', async () => {
    const { c, provider, requesterToken } = await setup();
    const requester = http(() => c.url, requesterToken);
    const cacheDir = tempDir();
    const a = await agent(c, provider, 2, cacheDir);
    expect(a.hostId).toBeGreaterThan(0);

    const module = await upload(requester, 'prime.wasm');
    const ranges = Array.from({ length: 30 }, (_, i) => [i * 1000, (i + 1) * 1000] as const);
    const job = await submit(
      requester,
      module,
      ranges.map(([x, y]) => [String(x), String(y)]),
    );
    const final = await finished(requester, job.id);
    expect(final.progress).toMatchObject({ total: 30, valid: 30, failed: 0 });

    const page = await requester<ResultPage>('GET', `/v1/jobs/${job.id}/results?limit=100`);
    for (const r of page.results) {
      const [x, y] = ranges[r.index] as readonly [number, number];
      expect(stdoutOf(r)).toBe(`${countPrimes(x, y)}\n`);
    }
    expect(a.stats()).toEqual({ completed: 30, failed: 0, running: 0 });
    expect(existsSync(join(cacheDir, 'blobs', module.hash))).toBe(true);
    expect(JSON.parse(readFileSync(join(cacheDir, 'host.json'), 'utf8'))).toEqual({
      hostId: a.hostId,
    });
  });

  it('comes back as the same host after a restart when it keeps a cache directory', async () => {
    const { c, provider } = await setup();
    const cacheDir = tempDir();
    const first = await agent(c, provider, 1, cacheDir);
    await first.stop();
    const again = await agent(c, provider, 1, cacheDir);
    expect(again.hostId).toBe(first.hostId);
    const elsewhere = await agent(c, provider, 1);
    expect(elsewhere.hostId).not.toBe(first.hostId);
  });

  it('waits for a coordinator that is not up yet, then registers', async () => {
    const { c, dataDir, provider } = await setup();
    const { port, url } = c;
    await c.close();
    const starting = startAgent({ coordinator: url, token: provider, slots: 1, logger: agentLog });
    await new Promise((r) => setTimeout(r, 500));
    await coordinator(dataDir, port);
    const a = await starting;
    cleanups.push(() => a.stop({ graceful: false }));
    expect(a.hostId).toBeGreaterThan(0);
  });

  it('refuses a token the coordinator does not know, saying why', async () => {
    const { c } = await setup();
    await expect(
      startAgent({ coordinator: c.url, token: 'not-a-token', slots: 1, logger: agentLog }),
    ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('reports failures with the runtime code: a non-zero exit and a module that is not WebAssembly', async () => {
    const { c, provider, requesterToken } = await setup();
    const requester = http(() => c.url, requesterToken);
    await agent(c, provider, 2);
    const exit7 = await submit(requester, await upload(requester, 'exit7.wasm'), [[]], {
      maxErrors: 0,
    });
    const notWasm = new TextEncoder().encode('definitely not wasm');
    const hash = createHash('sha256').update(notWasm).digest('hex');
    await requester('PUT', `/v1/blobs/${hash}`, notWasm);
    const bogus = await submit(requester, { hash, size: notWasm.byteLength }, [[]], {
      maxErrors: 0,
    });

    for (const [job, code] of [
      [exit7, 'exit_code'],
      [bogus, 'invalid_module'],
    ] as const) {
      expect((await finished(requester, job.id)).progress).toMatchObject({ failed: 1 });
      const page = await requester<ResultPage>('GET', `/v1/jobs/${job.id}/results`);
      expect(page.results[0]?.errors.map((e) => e.code)).toContain(code);
    }
  });

  it('keeps finished reports through a coordinator restart and delivers them afterwards', async () => {
    const first = await setup();
    const port = first.c.port;
    let c = first.c;
    const requester = http(() => c.url, first.requesterToken);
    // Work for a few seconds buffered: on a loaded machine a task may take a second, and a
    // one-second buffer would hold only the task running when the coordinator goes.
    const a = await agent(c, first.provider, 1, undefined, bufferSeconds(5, 10));
    const module = await upload(requester, 'prime.wasm');
    // Tasks of a few hundred ms each, so some finish while the coordinator is away.
    const tasks = Array.from({ length: 12 }, (_, i) => [
      String(i * 200_000),
      String((i + 1) * 200_000),
    ]);
    const job = await submit(requester, module, tasks);
    // Once one task is done the module is cached, so the next ones need no coordinator.
    await waitFor('a finished task', () => a.stats().completed > 0);

    await c.close();
    const doneBefore = a.stats().completed;
    await waitFor(
      'a task finished while the coordinator is down',
      () => a.stats().completed > doneBefore,
    );
    c = await coordinator(first.dataDir, port);

    const final = await finished(requester, job.id);
    expect(final.progress).toMatchObject({ total: 12, valid: 12 });
  });

  it('hands back a running task on a graceful stop, so another host gets it at once', async () => {
    const { c, provider, requesterToken } = await setup();
    const requester = http(() => c.url, requesterToken);
    const a = await agent(c, provider, 1);
    const module = await upload(requester, 'loop.wasm');
    await submit(requester, module, [[]], { deadlineMs: 600_000, limits: { wallTimeMs: 60_000 } });
    await waitFor('the loop to start', () => a.stats().running === 1);

    const started = Date.now();
    await a.stop({ graceful: true, timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(5000);

    const other = http(() => c.url, provider);
    const { hostId } = await other<{ hostId: number }>('POST', '/v1/hosts', {
      name: 'other',
      platform: 'linux-x64',
      cores: 1,
      memoryBytes: 1 << 30,
      slots: 1,
    });
    const work = await other<{ assignments: unknown[] }>('POST', '/v1/work', { hostId, max: 1 });
    expect(work.assignments).toHaveLength(1);
  });

  it('does not report a replica the coordinator cancelled', async () => {
    const { c, provider, requesterToken } = await setup();
    const requester = http(() => c.url, requesterToken);
    const a = await agent(c, provider, 1);
    const module = await upload(requester, 'loop.wasm');
    const job = await submit(requester, module, [[]], { limits: { wallTimeMs: 120_000 } });
    await waitFor('the loop to start', () => a.stats().running === 1);
    await requester('POST', `/v1/jobs/${job.id}/cancel`);
    // Stopped where it runs (the worker is terminated), long before its wall-time limit.
    await waitFor('the cancelled run to end', () => a.stats().running === 0, 10_000);
    expect(a.stats()).toEqual({ completed: 0, failed: 0, running: 0 });
  });
});
