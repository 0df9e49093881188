import { describe, expect, it } from 'vitest';
import { makeLargeModule } from '../../../examples/make-large-module.mjs';
import { example, startAgent, useCoordinator } from './harness.js';
import { allResults, decodeStdout, waitForJob } from './job-flow.js';

describe('a 60 MB module', () => {
  const ctx = useCoordinator();

  it('uploads once, is fetched once per host, and runs', async () => {
    const { coord, requester, providerToken: provider } = ctx;
    startAgent(coord.url, provider, { slots: 2, name: 'big' });

    const bytes: Uint8Array = makeLargeModule(example('prime.wasm'), 60 * 1024 * 1024);
    expect(bytes.byteLength).toBe(60 * 1024 * 1024);
    const module = await requester.upload(bytes);
    const again = await requester.request('PUT', `/v1/blobs/${module.hash}`, bytes);
    expect(again.status).toBe(200); // known content is not stored twice

    const tasks = [
      [0, 1000],
      [1000, 2000],
      [2000, 3000],
      [3000, 4000],
    ].map(([a, b]) => ({ args: [String(a), String(b)] }));
    for (let round = 0; round < 2; round++) {
      const job = await requester.post('/v1/jobs', { module, tasks, policy: { redundancy: 1 } });
      expect(job.status).toBe(201);
      await waitForJob(requester, job.body.id);
      const results = await allResults(requester, job.body.id);
      expect(results.sort((x, y) => x.index - y.index).map((r) => decodeStdout(r))).toEqual([
        '168\n',
        '135\n',
        '127\n',
        '120\n',
      ]);
    }

    const metrics = await (await fetch(`${coord.url}/metrics`)).text();
    const served = Number(/anygrid_blob_bytes_served_total (\d+)/.exec(metrics)?.[1]);
    // Eight tasks on one host, the module sent once.
    expect(served).toBeGreaterThanOrEqual(bytes.byteLength);
    expect(served).toBeLessThan(2 * bytes.byteLength);
  });
});
