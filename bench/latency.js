/**
 * @module
 * Submit → first validated result, and submit → all results, with idle agents already
 * connected: what a requester feels. Loopback only; p50 and p99 over many runs.
 */

import { Anygrid } from '@anygrid/sdk';
import { startAgents, startCoordinator } from './processes.js';
import { percentile, round } from './stats.js';

export async function latency({ runs = 200, agents = 2, slots = 2 } = {}) {
  const coord = await startCoordinator();
  const pool = await startAgents(coord.url, () => coord.token('provider'), agents, slots);
  const grid = new Anygrid({ url: coord.url, token: await coord.token('requester') });
  const rows = [];
  for (const size of [1, 100]) {
    const first = [];
    const all = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const job = await grid.submit({
        module: 'examples/trivial.wasm',
        tasks: Array.from({ length: size }, (_, k) => ({ args: [`${i}-${k}`] })),
      });
      let n = 0;
      for await (const _ of job.results()) {
        if (n++ === 0) first.push(performance.now() - t0);
      }
      all.push(performance.now() - t0);
    }
    rows.push({
      name: `latency ${size}-task job`,
      runs,
      firstP50Ms: round(percentile(first, 50)),
      firstP99Ms: round(percentile(first, 99)),
      allP50Ms: round(percentile(all, 50)),
      allP99Ms: round(percentile(all, 99)),
    });
  }
  await pool.stop();
  await coord.stop();
  return rows;
}
