/**
 * @module
 * Helpers for the reverse-auction tests (market.test.ts, staked-trust.test.ts): agents
 * asking a price, a funded requester, prime jobs with a pricing, and which hosts ran a
 * job's tasks.
 */

import { expect } from 'vitest';
import { example, startAgent, waitFor } from './harness.js';
import { type Client, primeRanges } from './job-flow.js';

/** Micro-credits per credit, as `--ask-cpu` takes credits. */
const MICRO = 1e-6;

/** Credits the requester's balance (paid jobs reserve their maximum cost at submit). */
export async function fund(admin: Client, requester: Client, micros = 1e12): Promise<void> {
  const me = await requester.get('/v1/whoami');
  const r = await admin.post(`/v1/accounts/${me.body.accountId}/credit`, {
    amount: micros,
    idempotencyKey: `fund-${Date.now()}-${Math.random()}`,
  });
  expect(r.status).toBe(200);
}

/** An agent asking `cpuMicros` per normalized CPU-second, joined. */
export async function agent(
  url: string,
  token: string,
  name: string,
  cpuMicros: number,
  slots = 1,
) {
  const a = startAgent(url, token, {
    slots,
    name,
    extraArgs: cpuMicros > 0 ? ['--ask-cpu', (cpuMicros * MICRO).toFixed(6)] : [],
  });
  await waitFor(`${name} to join`, async () => a.output().includes('joined'));
  return a;
}

export function pricing(cpuCeiling: number, tier = 'standard') {
  return { ceiling: { cpuSecond: cpuCeiling, memGiBSecond: 0, gpuSecond: 0 }, tier };
}

export async function submit(
  c: Client,
  tasks: number,
  width: number,
  policy: Record<string, unknown>,
) {
  const module = await c.upload(example('prime.wasm'));
  const r = await c.post('/v1/jobs', {
    module,
    policy,
    tasks: primeRanges(tasks, width).map(([a, b]) => ({ args: [String(a), String(b)] })),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as number;
}

/** The ids of the hosts that ran each of the job's tasks, by task index. */
export async function hostsOf(c: Client, jobId: number, tasks: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < tasks; i++) {
    const t = await c.get(`/v1/jobs/${jobId}/tasks/${i}`);
    for (const r of t.body.replicas) if (r.hostId !== null) out.push(r.hostId);
  }
  return out;
}

export async function hostId(admin: Client, name: string): Promise<number> {
  const list = await admin.get('/v1/hosts');
  const h = list.body.hosts.find((x: { name: string }) => x.name === name);
  return h.id as number;
}
