/**
 * A compared job on a pool of one account: two real agents started with one provider
 * token, and a job with redundancy 2. A task's replicas never go to two hosts of one
 * account, so each task gets one replica and waits for a second that no connected host
 * may take. Nothing else is wrong with the pool (the hosts meet the job, are idle, have
 * quota), so the submission warns and `anygrid why` says it. A spot-check job on the same
 * pool settles the tasks not drawn for a check and waits for the others' second replica,
 * and says so too. Once an agent of another account joins, both jobs complete with
 * correct outputs.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  client,
  countPrimes,
  example,
  removeDir,
  runCli,
  startAgent,
  tempDir,
  useCoordinator,
  waitFor,
} from './harness.js';
import { allResults, decodeStdout, primeRanges, waitForJob } from './job-flow.js';

const ACCOUNTS_MESSAGE =
  /Each task needs 2 hosts of different accounts to settle .* but the 2 connected hosts that may run it belong to 1 account: connect providers of other accounts/;

describe('a compared job on hosts of one account (real coordinator and agents)', () => {
  const ctx = useCoordinator();

  it('is warned about at submit and diagnosed by `why`, and completes once another account joins', async () => {
    const { coord, providerToken, admin } = ctx;
    for (const name of ['first', 'second']) {
      const agent = startAgent(coord.url, providerToken, { slots: 2, name });
      await waitFor(`agent ${name} to join`, async () => agent.output().includes('joined'));
    }
    const requester = await admin.token('requester');
    const ranges = primeRanges(4, 3000);
    const dir = tempDir('anygrid-kept-apart-');
    const tasks = join(dir, 'tasks.jsonl');
    writeFileSync(
      tasks,
      ranges.map(([a, b]) => JSON.stringify({ args: [String(a), String(b)] })).join('\n'),
    );
    const submit = await runCli([
      'submit',
      'examples/prime.wasm',
      '--redundancy',
      '2',
      '--json',
      '--url',
      coord.url,
      '--token',
      requester,
      '--tasks',
      tasks,
    ]);
    removeDir(dir);
    expect(submit.code, submit.stderr).toBe(0);
    const job = JSON.parse(submit.stdout) as { id: number };
    // On stderr, so that stdout stays one JSON document.
    expect(submit.stderr).toMatch(/warning: Each task needs 2 hosts of different accounts/);
    expect(submit.stderr).toMatch(ACCOUNTS_MESSAGE);

    // Each task gets its one replica from this account; the second waits.
    const api = client(coord.url, requester);
    await waitFor('the first replicas to be reported', async () => {
      const d = (await api.get(`/v1/jobs/${job.id}/diagnostics`)).body;
      return d.hosts !== undefined && d.tasks.running === 0 && d.tasks.queued === 4;
    });
    const why = await runCli(['why', String(job.id), '--url', coord.url, '--token', requester]);
    expect(why.code, why.stderr).toBe(0);
    expect(why.stdout).toMatch(ACCOUNTS_MESSAGE);
    const d = await runCli([
      'why',
      String(job.id),
      '--json',
      '--url',
      coord.url,
      '--token',
      requester,
    ]);
    expect(JSON.parse(d.stdout).hosts).toMatchObject({ connected: 2, eligible: 2, accounts: 1 });
    // No task of it settles meanwhile, whatever the other job does.
    expect((await api.get(`/v1/jobs/${job.id}`)).body.progress.valid).toBe(0);

    // A spot-check job: each task runs once, and those drawn for a check (half) wait for a
    // second replica on another account's host, so the job could never end here.
    const spotRanges = primeRanges(16, 500);
    const spot = await api.post('/v1/jobs', {
      module: await api.upload(example('prime.wasm')),
      policy: { validation: { mode: 'spot-check', rate: 0.5 } },
      tasks: spotRanges.map(([a, b]) => ({ args: [String(a), String(b)] })),
    });
    expect(spot.status, JSON.stringify(spot.body)).toBe(201);
    const DRAWN_MESSAGE =
      /The tasks drawn for a check \(50 % of them\) need 2 hosts of different accounts to settle .* belong to 1 account/;
    expect(spot.body.warnings.join(' ')).toMatch(DRAWN_MESSAGE);
    await waitFor('the spot-check tasks not drawn to settle', async () => {
      const d = (await api.get(`/v1/jobs/${spot.body.id}/diagnostics`)).body;
      return d.tasks.running === 0 && d.tasks.queued > 0 && d.tasks.queued < 16;
    });
    const spotWhy = await runCli([
      'why',
      String(spot.body.id),
      '--url',
      coord.url,
      '--token',
      requester,
    ]);
    expect(spotWhy.stdout).toMatch(DRAWN_MESSAGE);

    // A provider of another account: the second replicas go to it, and both jobs complete.
    const other = startAgent(coord.url, await admin.token('provider', 'other'), { name: 'other' });
    await waitFor('the other agent to join', async () => other.output().includes('joined'));
    for (const [id, jobRanges] of [
      [job.id, ranges],
      [spot.body.id as number, spotRanges],
    ] as const) {
      const done = await waitForJob(api, id);
      expect(done.progress.valid).toBe(jobRanges.length);
      for (const r of await allResults(api, id)) {
        const [a, b] = jobRanges[r.index] as [number, number];
        expect(decodeStdout(r)).toBe(`${countPrimes(a, b)}\n`);
      }
    }
  });
});
