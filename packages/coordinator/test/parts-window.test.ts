import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type Coordinator, startCoordinator } from '../src/index.js';

const MODULE = readFileSync(
  resolve(dirname(fileURLToPath(import.meta.url)), '../../../examples/trivial.wasm'),
);
const WINDOW_MS = 1500;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function coordinator(): Promise<Coordinator> {
  const dataDir = mkdtempSync(join(tmpdir(), 'anygrid-parts-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const c = await startCoordinator({
    dataDir,
    port: 0,
    logger: pino({ level: 'silent' }),
    sweepMs: 50,
    partsWindowMs: WINDOW_MS,
  });
  cleanups.push(() => c.close());
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  status: number;
  body: { id: number; state: string; error?: { code: string } };
}

describe('a job sent in parts', () => {
  it('waits for each next part within the window, and is cancelled when one never comes', async () => {
    const c = await coordinator();
    const token = await c.createToken('requester');
    const headers = { authorization: `Bearer ${token}` };
    const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
      const res = await fetch(`${c.url}${path}`, {
        method,
        headers: body ? { ...headers, 'content-type': 'application/json' } : headers,
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json()) as Answer['body'] };
    };
    const hash = createHash('sha256').update(MODULE).digest('hex');
    const put = await fetch(`${c.url}/v1/blobs/${hash}`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(MODULE),
    });
    expect(put.status).toBe(201);
    const module = { hash, size: MODULE.byteLength };

    const created = await call('POST', '/v1/jobs', {
      module,
      tasks: [{ args: ['0'] }],
      totalTasks: 3,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;

    // A part inside the window is taken and gives the job a new window from now.
    await sleep(WINDOW_MS * 0.6);
    const part = await call('POST', `/v1/jobs/${id}/tasks`, { from: 1, tasks: [{ args: ['1'] }] });
    expect(part.status).toBe(200);
    await sleep(WINDOW_MS * 0.6);
    expect((await call('GET', `/v1/jobs/${id}`)).body.state).toBe('running');

    // The last part never comes: the job is cancelled, and a late part is refused.
    let state = 'running';
    for (let waited = 0; state === 'running' && waited < 10_000; waited += 100) {
      await sleep(100);
      state = (await call('GET', `/v1/jobs/${id}`)).body.state;
    }
    expect(state).toBe('cancelled');
    const late = await call('POST', `/v1/jobs/${id}/tasks`, { from: 2, tasks: [{ args: ['2'] }] });
    expect(late.status).toBe(409);
    expect(late.body.error?.code).toBe('CONFLICT');
  });
});
