/**
 * @module
 * Job helpers shared by the integration tests: submit a prime-count job over the bare
 * HTTP API and collect every settled result by paging the results cursor.
 */

import { type client, example } from './harness.js';

export type Client = ReturnType<typeof client>;

export function primeRanges(count: number, width: number): [number, number][] {
  return Array.from({ length: count }, (_, i) => [i * width, (i + 1) * width]);
}

export async function submitPrimes(
  c: Client,
  ranges: readonly [number, number][],
  policy: Record<string, unknown> = {},
) {
  const module = await c.upload(example('prime.wasm'));
  const r = await c.post('/v1/jobs', {
    name: 'primes',
    module,
    policy,
    tasks: ranges.map(([a, b]) => ({ args: [String(a), String(b)] })),
  });
  if (r.status !== 201) throw new Error(`submit failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as { id: number };
}

export async function allResults(c: Client, jobId: number): Promise<any[]> {
  const out: any[] = [];
  let after = 0;
  for (;;) {
    const r = await c.get(`/v1/jobs/${jobId}/results?after=${after}&limit=500`);
    if (r.status !== 200) throw new Error(`results failed: ${r.status}`);
    out.push(...r.body.results);
    if (r.body.results.length < 500) return out;
    after = r.body.next;
  }
}

export async function waitForJob(c: Client, jobId: number, timeoutMs = 120_000): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await c.get(`/v1/jobs/${jobId}`);
    if (r.body.state !== 'running') return r.body;
    if (Date.now() > until)
      throw new Error(`job ${jobId} still running: ${JSON.stringify(r.body.progress)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

export function decodeStdout(result: { stdout: { data?: string } | null }): string {
  return result.stdout?.data ? Buffer.from(result.stdout.data, 'base64').toString('utf8') : '';
}
