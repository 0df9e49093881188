/**
 * Acceptance (issue 12, 1): hosts declaring different memory and platforms — a real
 * agent (this machine's memory, linux-x64) and protocol hosts declaring 2 GiB, 16 GiB on
 * linux-arm64 — and jobs with requirements: a job needing 8 GiB runs only on the hosts
 * that have it, a job for linux-arm64 only on that host, and an impossible job (64 GiB)
 * is warned about at submit and diagnosed, naming the requirement and the count of hosts
 * failing it, by the API and by `anygrid why`.
 */

import { totalmem } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { DeclaredHost } from './declared-host.js';
import { countPrimes, example, runCli, startAgent, useCoordinator, waitFor } from './harness.js';
import { allResults, decodeStdout, primeRanges, waitForJob } from './job-flow.js';
import { inspectStore } from './store-inspect.js';

const GiB = 1024 ** 3;

describe('job requirements (real coordinator, a real agent and declared hosts)', () => {
  const ctx = useCoordinator();
  const hosts: DeclaredHost[] = [];
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
  });

  async function pool() {
    const { coord, providerToken, admin } = ctx;
    const agent = startAgent(coord.url, providerToken, { slots: 2, name: 'real' });
    await waitFor('the agent to join', async () => agent.output().includes('joined'));
    const small = await new DeclaredHost(coord.url, await admin.token('provider', 'small'), {
      name: 'small',
      declares: { memoryBytes: 2 * GiB, slots: 2 },
    }).start();
    const arm = await new DeclaredHost(coord.url, await admin.token('provider', 'arm'), {
      name: 'arm',
      declares: { memoryBytes: 16 * GiB, platform: 'linux-arm64', slots: 2 },
    }).start();
    hosts.push(small, arm);
    const agentHost = (await admin.get('/v1/hosts')).body.hosts.find(
      (h: { name: string }) => h.name === 'real',
    );
    return { small, arm, agentId: agentHost.id as number };
  }

  async function submit(requirements: Record<string, unknown>, tasks = 12) {
    const module = await ctx.requester.upload(example('prime.wasm'));
    const ranges = primeRanges(tasks, 2000);
    const r = await ctx.requester.post('/v1/jobs', {
      module,
      requirements,
      tasks: ranges.map(([a, b]) => ({ args: [String(a), String(b)] })),
    });
    expect(r.status).toBe(201);
    return { job: r.body, ranges };
  }

  it('runs each job only on the hosts that meet its requirements, and says why an impossible one waits', async () => {
    const { small, arm, agentId } = await pool();
    const hostsOf = (jobId: number) =>
      inspectStore(ctx.coord.dataDir).query<{ host_id: number; n: number }>(
        `SELECT host_id, COUNT(*) AS n FROM replicas WHERE job_id = ? AND state = 'reported' GROUP BY host_id`,
        jobId,
      );

    // 8 GiB: the arm host and (if this machine has 8 GiB) the real agent; never the small one.
    const big = await submit({ minMemoryBytes: 8 * GiB });
    expect(big.job.requirements).toEqual({ minMemoryBytes: 8 * GiB });
    expect((await waitForJob(ctx.requester, big.job.id)).progress.valid).toBe(12);
    for (const r of await allResults(ctx.requester, big.job.id)) {
      const [a, b] = big.ranges[r.index] as [number, number];
      expect(decodeStdout(r)).toBe(`${countPrimes(a, b)}\n`);
    }
    const ranBig = new Map(hostsOf(big.job.id).map((r) => [r.host_id, r.n]));
    expect(ranBig.has(small.provider.hostId)).toBe(false);
    expect(small.ran).toEqual([]);
    const allowed = new Set([arm.provider.hostId, ...(totalmem() >= 8 * GiB ? [agentId] : [])]);
    expect([...ranBig.keys()].every((h) => allowed.has(h))).toBe(true);
    expect([...ranBig.values()].reduce((x, y) => x + y, 0)).toBe(12);

    // linux-arm64: the arm host alone, though the agent and the small host are idle.
    const armJob = await submit({ platforms: ['linux-arm64'] }, 6);
    expect((await waitForJob(ctx.requester, armJob.job.id)).progress.valid).toBe(6);
    expect(hostsOf(armJob.job.id)).toEqual([{ host_id: arm.provider.hostId, n: 6 }]);

    // 64 GiB: nobody. Warned at submit, diagnosed by the API and the CLI.
    const none = await submit({ minMemoryBytes: 64 * GiB, platforms: ['linux-x64'] }, 3);
    expect(none.job.warnings?.[0]).toMatch(/^No connected host could run this job \(3 connected\)/);
    const d = await ctx.requester.get(`/v1/jobs/${none.job.id}/diagnostics`);
    expect(d.status).toBe(200);
    expect(d.body.hosts).toMatchObject({ connected: 3, eligible: 0 });
    expect(d.body.tasks).toMatchObject({ total: 3, queued: 3, running: 0, settled: 0 });
    const memory = d.body.requirements.find(
      (c: { requirement: string }) => c.requirement === 'minMemoryBytes',
    );
    expect(memory).toMatchObject({ failing: 3, connected: 3, wanted: '≥ 64 GiB memory' });
    expect(memory.message).toMatch(/^0 of 3 connected hosts have ≥ 64 GiB memory \(largest: /);
    const platform = d.body.requirements.find(
      (c: { requirement: string }) => c.requirement === 'platforms',
    );
    expect(platform).toMatchObject({ failing: 1, connected: 3 });
    expect(d.body.messages[0]).toBe('No connected host may run this job:');

    const env = { ANYGRID_URL: ctx.coord.url, ANYGRID_TOKEN: await ctx.admin.token('requester') };
    const why = await runCli(
      ['why', String(none.job.id), '--url', ctx.coord.url, '--token', env.ANYGRID_TOKEN],
      {
        env,
      },
    );
    // Another requester's job is not found: diagnostics follow the job's ownership.
    expect(why.code).not.toBe(0);
    expect(why.stderr).toMatch(/NOT_FOUND/);
    const adminWhy = await runCli([
      'why',
      String(none.job.id),
      '--url',
      ctx.coord.url,
      '--token',
      ctx.coord.adminToken,
    ]);
    expect(adminWhy.code).toBe(0);
    expect(adminWhy.stdout).toMatch(
      /FAIL ≥ 64 GiB memory: 0 of 3 connected hosts have ≥ 64 GiB memory/,
    );
    expect(adminWhy.stdout).toMatch(/hosts: 3 connected, 0 meet the job's requirements/);
    // Each reason once, and the summary points at them rather than repeating them.
    expect(adminWhy.stdout.split('0 of 3 connected hosts have ≥ 64 GiB memory').length).toBe(2);
    expect(adminWhy.stdout).toContain('No connected host may run this job (see the lines above).');
    const json = await runCli([
      'why',
      String(none.job.id),
      '--json',
      '--url',
      ctx.coord.url,
      '--token',
      ctx.coord.adminToken,
    ]);
    expect(JSON.parse(json.stdout)).toMatchObject({ jobId: none.job.id, hosts: { eligible: 0 } });
    // Still waiting: nothing was sent to a host that cannot run it.
    expect(hostsOf(none.job.id)).toEqual([]);
  });
});
