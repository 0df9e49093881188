import { describe, expect, it } from 'vitest';
import {
  client,
  example,
  runCli,
  startAgent,
  useRestartableCoordinator,
  waitFor,
} from './harness.js';
import { primeRanges, submitPrimes } from './job-flow.js';

/** The coordinator's bound for a task failed everywhere to wait for a new host. */
const STRANDED_SECONDS = 3;

describe('a task that fails on every host of a 2-host pool (issue 11, acceptance 1)', () => {
  const ctx = useRestartableCoordinator([
    '--heartbeat-ms',
    '1000',
    '--stranded-seconds',
    String(STRANDED_SECONDS),
  ]);

  it('ends failed with no_eligible_host within a bounded time, while another job completes', async () => {
    const { coord } = ctx;
    const admin = client(coord.url, coord.adminToken);
    const requesterToken = await admin.token('requester');
    const requester = client(coord.url, requesterToken);
    // Two accounts, so the default error limit (3 distinct owners) is never reached: only
    // the lack of a third host could end the task, and before this it waited forever.
    startAgent(coord.url, await admin.token('provider'), { slots: 1, name: 'one' });
    startAgent(coord.url, await admin.token('provider'), { slots: 1, name: 'two' });
    await waitFor('two hosts to join', async () => {
      const r = await admin.get('/v1/hosts');
      return r.body.hosts?.length === 2;
    });

    const trap = await requester.upload(example('trap.wasm'));
    const started = Date.now();
    const created = await requester.post('/v1/jobs', {
      name: 'always-traps',
      module: trap,
      tasks: [{ args: [] }],
    });
    expect(created.status).toBe(201);
    const jobId = created.body.id as number;
    const primes = await submitPrimes(requester, primeRanges(4, 1000));
    const job = await waitFor(
      'the job to end',
      async () => {
        const r = await requester.get(`/v1/jobs/${jobId}`);
        return r.body.state === 'running' ? undefined : r.body;
      },
      60_000,
      100,
    );
    const took = Date.now() - started;
    expect(job.state).toBe('completed');
    expect(job.progress).toMatchObject({ total: 1, failed: 1 });
    // The bound, plus the two failed runs and a sweep or two; far from the 10-minute lease.
    expect(took).toBeGreaterThanOrEqual(STRANDED_SECONDS * 1000);
    expect(took).toBeLessThan(STRANDED_SECONDS * 1000 + 20_000);

    const page = await requester.get(`/v1/jobs/${jobId}/results`);
    const [result] = page.body.results;
    expect(result).toMatchObject({
      outcome: 'failed',
      reason: { code: 'no_eligible_host' },
    });
    expect(result.reason.message).toMatch(/no new host joined/);
    // Both hosts' own errors are still there.
    expect(result.errors.map((e: { code: string }) => e.code)).toEqual(['trap', 'trap']);

    const other = await waitFor('the prime job', async () => {
      const r = await requester.get(`/v1/jobs/${primes.id}`);
      return r.body.state === 'running' ? undefined : r.body;
    });
    expect(other.progress).toMatchObject({ total: 4, valid: 4 });

    // The CLI shows the reason on the task's line.
    const cli = await runCli(['results', String(jobId)], {
      env: { ANYGRID_URL: coord.url, ANYGRID_TOKEN: requesterToken },
    });
    expect(cli.stdout).toContain('#0 failed');
    expect(cli.stdout).toContain('no_eligible_host');
  }, 90_000);
});
