/**
 * The store is the truth for comparisons too: a coordinator SIGKILLed while a validator
 * module runs finds the replica still awaiting comparison when it starts again, runs the
 * validator again, and settles the task — nothing lost, nothing settled twice.
 */

import { describe, expect, it } from 'vitest';
import { startCraftedProvider } from './crafted-provider.js';
import { client, example, useRestartableCoordinator, waitFor } from './harness.js';
import { allResults, waitForJob } from './job-flow.js';
import { inspectStore } from './store-inspect.js';

describe('a coordinator killed while a validator runs', () => {
  const ctx = useRestartableCoordinator();

  it('compares again after the restart and settles the task once', async () => {
    const { coord } = ctx;
    const admin = client(coord.url, coord.adminToken);
    const requesterToken = await admin.token('requester');
    const requester = client(coord.url, requesterToken);
    // Two providers of two accounts whose answers differ: only the validator can join them.
    const one = await startCraftedProvider(
      client(coord.url, await admin.token('provider', 'one')),
      'one',
      () => ({ stdout: 'one\n' }),
    );
    const two = await startCraftedProvider(
      client(coord.url, await admin.token('provider', 'two')),
      'two',
      () => ({ stdout: 'two\n' }),
    );
    const module = await requester.upload(example('echo.wasm'));
    // Spins for seconds, then says every candidate agrees.
    const validator = await requester.upload(example('slowagree.wasm'));
    const r = await requester.post('/v1/jobs', {
      module,
      policy: {
        redundancy: 2,
        maxTotal: 2,
        compare: { kind: 'validator', module: validator, timeoutMs: 60_000 },
      },
      tasks: [{}],
    });
    expect(r.status).toBe(201);
    const jobId = r.body.id as number;

    const pending = () => {
      const store = inspectStore(ctx.dataDir);
      const n = store.query<{ n: number }>('SELECT COUNT(*) AS n FROM comparisons')[0]?.n;
      store.close();
      return n;
    };
    await waitFor('both answers reported and one awaiting comparison', async () => pending() === 1);
    expect(await one.stop()).toBe(1);
    expect(await two.stop()).toBe(1);

    await ctx.restart(async () => {
      // Still pending in the store after the kill: the validator had not answered.
      expect(pending()).toBe(1);
    });
    const again = client(ctx.coord.url, requesterToken);
    const final = await waitForJob(again, jobId, 60_000);
    expect(final.progress).toMatchObject({ total: 1, valid: 1 });
    expect(pending()).toBe(0);
    const results = await allResults(again, jobId);
    expect(results).toHaveLength(1);
    expect(results[0]?.outcome).toBe('valid');
  });
});
