import { Anygrid } from '@anygrid/sdk';
import { describe, expect, it } from 'vitest';
import { example, startAgent, useCoordinator } from './harness.js';

describe('the SDK submitting the same module again', () => {
  const ctx = useCoordinator();

  it('asks the coordinator about the module once per client, not once per submit', async () => {
    const { coord, admin, providerToken } = ctx;
    startAgent(coord.url, providerToken, { slots: 1 });
    const grid = new Anygrid({ url: coord.url, token: await admin.token('requester') });
    const module = example('trivial.wasm');
    for (let i = 0; i < 3; i++) {
      const job = await grid.submit({ module, tasks: [{ args: [`run-${i}`] }] });
      const seen: string[] = [];
      for await (const r of job.results()) seen.push(r.stdout);
      expect(seen).toEqual([`run-${i}\n`]);
    }
    const metrics = await (await fetch(`${coord.url}/metrics`)).text();
    const heads = [
      ...metrics.matchAll(
        /anygrid_http_request_seconds_count\{method="HEAD",route="\/v1\/blobs\/:hash",status="(\d+)"\} (\d+)/g,
      ),
    ];
    expect(heads.map((m) => [m[1], Number(m[2])])).toEqual([['404', 1]]);
  });
});
