/**
 * Acceptance 6 of issue 11: a blob download cut in the middle resumes from where it
 * stopped. A real TCP proxy between the agent and the coordinator cuts the first
 * download of a task's 8 MB input after 3 000 000 body bytes; the agent's next request
 * asks for `Range: bytes=3000000-`, the coordinator answers 206, and the blob verifies
 * (the task's checksum of the whole input is right). The range answers themselves are
 * checked against the coordinator directly.
 */

import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { type CuttingProxy, startCuttingProxy } from './cutting-proxy.js';
import { example, startAgent, useCoordinator, waitFor } from './harness.js';
import { allResults, decodeStdout, waitForJob } from './job-flow.js';

const SIZE = 8_000_000;
const CUT = 3_000_000;

/** What checksum.wasm prints for `bytes` with one round: size and 64-bit FNV-1a. */
function fnv1a64(bytes: Uint8Array): string {
  const mask = (1n << 64n) - 1n;
  let h = 1469598103934665603n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 1099511628211n) & mask;
  return `${bytes.byteLength} ${h.toString(16).padStart(16, '0')}\n`;
}

describe('resumable blob downloads', () => {
  const ctx = useCoordinator();
  let proxy: CuttingProxy | undefined;
  afterAll(async () => proxy?.close());

  it('answers Range requests with 206 and Content-Range, and a bad range with 416', async () => {
    const bytes = randomBytes(2_000_000);
    const { hash } = await ctx.requester.upload(bytes);
    for (const [range, start, end] of [
      ['bytes=1500000-', 1_500_000, 1_999_999],
      ['bytes=10-19', 10, 19],
      ['bytes=-100', 1_999_900, 1_999_999],
    ] as const) {
      const res = await fetch(`${ctx.coord.url}/v1/blobs/${hash}`, {
        headers: { authorization: `Bearer ${ctx.providerToken}`, range },
      });
      expect(res.status).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${bytes.byteLength}`);
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.equals(bytes.subarray(start, end + 1))).toBe(true);
    }
    const whole = await ctx.requester.request('GET', `/v1/blobs/${hash}`);
    expect(whole.status).toBe(200);
    const bad = await ctx.requester.request('GET', `/v1/blobs/${hash}`, undefined, {
      range: 'bytes=2000000-',
    });
    expect(bad.status).toBe(416);
    expect(bad.body.error.code).toBe('RANGE_NOT_SATISFIABLE');
    const junk = await ctx.requester.request('GET', `/v1/blobs/${hash}`, undefined, {
      range: 'bytes=9-3',
    });
    expect(junk.status).toBe(416);
  });

  it('resumes a download cut midway from the byte where it stopped, and the blob verifies', async () => {
    const { coord, requester, providerToken } = ctx;
    const input = randomBytes(SIZE);
    const file = await requester.upload(input);
    const module = await requester.upload(example('checksum.wasm'));
    proxy = await startCuttingProxy(coord.url, file.hash, CUT);
    const agent = startAgent(proxy.url, providerToken, { slots: 1, name: 'cut' });
    await waitFor('the agent to join', async () => agent.output().includes('joined'));

    const job = await requester.post('/v1/jobs', {
      module,
      policy: { redundancy: 1 },
      tasks: [{ args: ['input.bin'], files: { 'input.bin': file } }],
    });
    expect(job.status).toBe(201);
    expect((await waitForJob(requester, job.body.id, 60_000)).state).toBe('completed');
    const [result] = await allResults(requester, job.body.id);
    expect(decodeStdout(result)).toBe(fnv1a64(input));

    expect(proxy.cutAfter()).toBe(CUT);
    const gets = proxy.requests.filter((r) => r.path.startsWith(`/v1/blobs/${file.hash}`));
    // The first try from byte 0, cut; the second from the byte where it stopped; no third.
    expect(gets.map((r) => r.range)).toEqual([undefined, `bytes=${CUT}-`]);
    expect(gets[0]?.path).toMatch(/\?host=\d+$/);

    const metrics = await (await fetch(`${coord.url}/metrics`)).text();
    const host = /\?host=(\d+)$/.exec(gets[0]?.path ?? '')?.[1];
    expect(metrics).toContain(`anygrid_blob_resumes_total{host="${host}"} 1`);
    // Transfers are counted only against a host of the caller's own account.
    const foreign = await requester.request('GET', `/v1/blobs/${file.hash}?host=${host}`);
    expect(foreign.status).toBe(403);
    const junk = await requester.request('GET', `/v1/blobs/${file.hash}?host=abc`);
    expect([junk.status, junk.body.error.code]).toEqual([400, 'INVALID_REQUEST']);
  });
});
