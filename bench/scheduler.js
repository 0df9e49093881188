/**
 * @module
 * Scheduler scaling: time per work request (100 assignments) with 1 k, 10 k, 100 k and
 * 1 M queued tasks, on the real SQLite store and the scheduler's ready queue, in this
 * process. A feeder answers from memory, so the time must not grow with the queue.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hub, Scheduler, SqliteStore } from '@anygrid/coordinator';
import { resolvePolicy } from '@anygrid/coordinator/policy';
import { percentile, round } from './stats.js';

const CHUNK = 200_000;
const REQUESTS = 300;
const PER_REQUEST = 100;

export async function schedulerScaling({ sizes = [1_000, 10_000, 100_000, 1_000_000] } = {}) {
  const rows = [];
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'anygrid-sched-'));
    // Its hosts never report, so no result raises their daily quota: start it high enough
    // that the quota is not what this measures.
    const store = new SqliteStore(join(dir, 'anygrid.db'), {
      dailyQuota: { initial: 1e6, max: 1e7, min: 1 },
    });
    await store.migrate();
    const owner = await store.createToken('requester', 'bench', 'r', undefined, 0);
    const prov = await store.createToken('provider', 'prov', 'p', undefined, 0);
    const scheduler = new Scheduler(store, new Hub());
    const t0 = performance.now();
    for (let done = 0; done < size; done += CHUNK) {
      const n = Math.min(CHUNK, size - done);
      const { changes } = await store.createJob(
        owner.accountId,
        {
          module: { hash: 'a'.repeat(64), size: 1 },
          policy: resolvePolicy({}),
          tasks: Array.from({ length: n }, (_, i) => ({
            args: [String(done + i)],
            env: {},
            files: {},
          })),
        },
        Date.now(),
      );
      scheduler.publish(changes);
    }
    const fillMs = performance.now() - t0;
    const hosts = [];
    for (let h = 0; h < 10; h++) {
      hosts.push(
        await store.registerHost(
          prov.accountId,
          {
            name: `h${h}`,
            platform: 'linux-x64',
            cores: 1,
            memoryBytes: 1,
            slots: 1,
            runtimes: ['wasm32-wasi'],
          },
          0,
        ),
      );
    }
    const times = [];
    for (let i = 0; i < Math.min(REQUESTS, size / PER_REQUEST); i++) {
      const t = performance.now();
      const got = await scheduler.assign(hosts[i % hosts.length], PER_REQUEST);
      times.push(performance.now() - t);
      if (got.length === 0) throw new Error('queue ran dry');
    }
    // A restart rebuilds the queue from the store: how long that takes at this size.
    const t1 = performance.now();
    await new Scheduler(store, new Hub()).load();
    const loadMs = performance.now() - t1;
    rows.push({
      name: `scheduler ${size.toLocaleString('en')} queued`,
      queued: size,
      fillSeconds: round(fillMs / 1000, 2),
      requestP50Ms: round(percentile(times, 50), 3),
      requestP99Ms: round(percentile(times, 99), 3),
      perAssignmentUs: round((percentile(times, 50) / PER_REQUEST) * 1000, 1),
      rebuildMs: round(loadMs),
    });
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const base = rows[0]?.requestP50Ms ?? 1;
  for (const r of rows) r.ratioTo1k = round(r.requestP50Ms / base, 2);
  return rows;
}
