import { describe, expect, it } from 'vitest';
import { example, startAgent, useCoordinator } from './harness.js';
import { allResults, decodeStdout, submitPrimes, waitForJob } from './job-flow.js';
import { inspectStore } from './store-inspect.js';

describe('misbehaving modules on a real agent', () => {
  const ctx = useCoordinator();

  it('stops each at its limit with its code, keeps /etc/passwd unreadable, and the agent keeps working', async () => {
    const { coord, requester, providerToken: provider } = ctx;
    const agent = startAgent(coord.url, provider, { slots: 2, name: 'sandbox' });

    const limits = { wallTimeMs: 1500, memoryBytes: 32 * 1024 * 1024, outputBytes: 1024 * 1024 };
    const cases = [
      ['loop.wasm', 'time_limit'],
      ['membomb.wasm', 'memory_limit'],
      ['bigout.wasm', 'output_limit'],
      ['passwd.wasm', 'exit_code'],
    ] as const;
    const jobs: { id: number; expected: string; name: string }[] = [];
    for (const [name, expected] of cases) {
      const module = await requester.upload(example(name));
      const r = await requester.post('/v1/jobs', {
        name,
        module,
        tasks: [{}],
        policy: { redundancy: 1, maxErrors: 0, limits },
      });
      expect(r.status).toBe(201);
      jobs.push({ id: r.body.id, expected, name });
    }
    for (const job of jobs) {
      const final = await waitForJob(requester, job.id, 60_000);
      expect(final.progress, job.name).toMatchObject({ total: 1, failed: 1 });
      const [result] = await allResults(requester, job.id);
      expect(result.outcome).toBe('failed');
      expect(result.errors[0].code, job.name).toBe(job.expected);
    }

    // passwd.wasm saw no host file: what it printed says so, and never a passwd line.
    const store = inspectStore(coord.dataDir);
    const passwdJob = jobs.find((j) => j.name === 'passwd.wasm') as { id: number };
    const [row] = store.query<{ outputs: string }>(
      'SELECT outputs FROM replicas WHERE job_id = ?',
      passwdJob.id,
    );
    const stdout = JSON.parse(row?.outputs ?? '{}').stdout;
    const printed = stdout?.data ? Buffer.from(stdout.data, 'base64').toString() : '';
    expect(printed).toMatch(/denied/);
    expect(printed).not.toMatch(/root:/);
    store.close();

    // The same agent process is alive and still computes correctly.
    expect(agent.proc.exitCode).toBeNull();
    const job = await submitPrimes(
      requester,
      [
        [0, 100],
        [100, 200],
      ],
      { redundancy: 1 },
    );
    await waitForJob(requester, job.id);
    const results = await allResults(requester, job.id);
    expect(results.map((r) => decodeStdout(r)).sort()).toEqual(['21\n', '25\n']);
  });
});
