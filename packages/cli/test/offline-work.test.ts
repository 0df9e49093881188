/**
 * Acceptance 3 of issue 11, offline work, with real processes: the coordinator is
 * SIGKILLed while an agent holds buffered work; the agent keeps running it and saving
 * results on disk, is itself SIGKILLed and started again while the coordinator is still
 * down, and skips the work whose deadline passed meanwhile. When the coordinator comes
 * back on the same data dir and port, every saved result is reported and validated,
 * each exactly once.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  client,
  example,
  REPO,
  removeDir,
  spawnNode,
  startAgent,
  stopProcess,
  tempDir,
  useRestartableCoordinator,
  waitFor,
} from './harness.js';
import { allResults, decodeStdout, waitForJob } from './job-flow.js';
import { inspectStore } from './store-inspect.js';

const FIXTURE = join(REPO, 'packages/cli/test/fixtures/buffered-agent.js');

/** Six tasks of about a second each: ranges of 150 000 numbers near 10^10. */
const WIDTH = 150_000;
const BASE = 10_000_000_000;
const LONG: [number, number][] = Array.from({ length: 6 }, (_, i) => [
  BASE + i * WIDTH,
  BASE + (i + 1) * WIDTH,
]);
/** Quick tasks with a 3-second deadline, buffered behind the long ones. */
const SHORT: [number, number][] = [
  [1000, 2000],
  [2000, 3000],
];

const SKIPPED = 'deadline passed before the task could start; not running it';

describe('offline work: the coordinator, then the agent, stopped while work is buffered', () => {
  const ctx = useRestartableCoordinator();
  const cacheDir = tempDir('anygrid-offline-agent-');
  afterAll(() => removeDir(cacheDir));

  it('finishes its work offline, survives its own restart, and reports every result once', async () => {
    const admin = client(ctx.coord.url, ctx.coord.adminToken);
    const provider = await admin.token('provider');
    const requesterToken = await admin.token('requester');
    let requester = client(ctx.coord.url, requesterToken);
    const module = await requester.upload(example('prime.wasm'));
    const submit = async (name: string, ranges: [number, number][], policy: object) => {
      const r = await requester.post('/v1/jobs', {
        name,
        module,
        policy: { redundancy: 1, ...policy },
        tasks: ranges.map(([a, b]) => ({ args: [String(a), String(b)] })),
      });
      expect(r.status).toBe(201);
      return r.body.id as number;
    };
    const long = await submit('long', LONG, { priority: 10 });
    const short = await submit('short', SHORT, { priority: 0, deadlineMs: 3000 });

    // One slot and a buffer of 8: the agent takes both jobs at once, long tasks first.
    const args = [FIXTURE, ctx.coord.url, provider, cacheDir, '1', '8', 'offline'];
    const env = { ANYGRID_LOG_LEVEL: 'info' };
    const first = spawnNode(args, env);
    const store = inspectStore(ctx.dataDir);
    const held = await waitFor(
      'the agent to hold every task',
      async () => {
        const rows = store.query<{ id: number; job_id: number; host_id: number }>(
          `SELECT id, job_id, host_id FROM replicas WHERE state = 'in_progress'`,
        );
        return rows.length === LONG.length + SHORT.length ? rows : undefined;
      },
      30_000,
      20,
    );
    store.close();
    // Its module is fetched when assigned: the coordinator is not needed to run the tasks.
    await waitFor('the module cached', async () =>
      existsSync(join(cacheDir, 'blobs', module.hash)),
    );
    const hostId = held[0]?.host_id as number;
    const longIds = held.filter((r) => r.job_id === long).map((r) => r.id);
    const shortIds = held.filter((r) => r.job_id === short).map((r) => r.id);
    await stopProcess(ctx.coord.proc, 'SIGKILL');

    // Offline: the agent keeps running its buffer and saving results; then it dies too.
    await waitFor(
      'two results saved',
      async () => savedResults(cacheDir).length >= 2,
      30_000,
    ).catch((error: unknown) => {
      throw new Error(`${error}\n${first.output()}`);
    });
    await stopProcess(first.proc, 'SIGKILL');
    const second = spawnNode(args, env);
    await waitFor(
      'every long task done and saved',
      async () => savedResults(cacheDir).length === LONG.length,
      60_000,
    );
    expect(second.output()).toContain('resuming work saved by a previous run');
    expect(savedResults(cacheDir).sort()).toEqual([...longIds].sort());
    // The short tasks' deadline passed while the coordinator was away: not started.
    await waitFor('the short tasks skipped', async () => {
      const skipped = skippedIds(first.output() + second.output());
      return skipped.length === shortIds.length ? skipped : undefined;
    });
    expect(skippedIds(first.output() + second.output()).sort()).toEqual([...shortIds].sort());

    // The coordinator comes back on the same data dir and port.
    const coord = await ctx.restart();
    requester = client(coord.url, requesterToken);
    const done = await waitForJob(requester, long, 60_000);
    expect(done).toMatchObject({ state: 'completed', progress: { total: 6, valid: 6 } });
    const results = await allResults(requester, long);
    expect(results).toHaveLength(LONG.length);
    for (const r of results) {
      const [a, b] = LONG[r.index] as [number, number];
      expect(decodeStdout(r)).toBe(`${countPrimesBetween(a, b)}\n`);
    }
    // Acknowledged results leave the agent's disk.
    await waitFor('saved results cleared', async () => savedResults(cacheDir).length === 0);

    // The short tasks timed out on the agent that let them lapse; another host runs them.
    startAgent(coord.url, await admin.token('provider'), { slots: 1, name: 'other' });
    const shortDone = await waitForJob(requester, short, 60_000);
    expect(shortDone).toMatchObject({ state: 'completed', progress: { total: 2, valid: 2 } });

    const after = inspectStore(ctx.dataDir);
    // Each long task: one replica, from the offline agent, reported and valid, once.
    const longRows = after.query<{
      id: number;
      host_id: number;
      state: string;
      validation: string;
    }>('SELECT id, host_id, state, validation FROM replicas WHERE job_id = ? ORDER BY id', long);
    expect(longRows.map((r) => r.id)).toEqual([...longIds].sort((x, y) => x - y));
    for (const r of longRows) {
      expect(r).toMatchObject({ host_id: hostId, state: 'reported', validation: 'valid' });
    }
    expect(after.settledCursors(long).cursors.size).toBe(LONG.length);
    // The skipped replicas never reported anything.
    const lapsed = after.query<{ state: string; reported_at: number | null }>(
      `SELECT state, reported_at FROM replicas WHERE id IN (${shortIds.join(',')})`,
    );
    expect(lapsed).toHaveLength(2);
    for (const r of lapsed) {
      expect(r.reported_at).toBeNull();
      expect(['timed_out', 'abandoned']).toContain(r.state);
    }
    expect(after.hostsOfValidReplicas(short)).not.toContain(hostId);
    after.close();
  });
});

/** Replica ids of the results saved in an agent's cache directory and not yet acknowledged. */
function savedResults(cacheDir: string): number[] {
  const dir = join(cacheDir, 'offline', 'results');
  if (!existsSync(dir)) return [];
  const released = new Set<number>();
  const log = join(dir, 'released.log');
  if (existsSync(log)) {
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      if (line.endsWith(';')) for (const id of line.slice(0, -1).split(',')) released.add(+id);
    }
  }
  const ids: number[] = [];
  for (const name of readdirSync(dir)) {
    if (!/^\d{12}\.json$/.test(name)) continue;
    const file = JSON.parse(readFileSync(join(dir, name), 'utf8')) as {
      records: { report: { replicaId: number } }[];
    };
    for (const r of file.records)
      if (!released.has(r.report.replicaId)) ids.push(r.report.replicaId);
  }
  return ids;
}

/** Replica ids the agent's log says it did not start because their deadline had passed. */
function skippedIds(log: string): number[] {
  const ids: number[] = [];
  for (const line of log.split('\n')) {
    if (!line.includes(SKIPPED)) continue;
    ids.push(...(JSON.parse(line) as { replicaIds: number[] }).replicaIds);
  }
  return ids;
}

/** Primes in [a, b) by a segmented sieve, independently of the wasm module. */
function countPrimesBetween(a: number, b: number): number {
  const limit = Math.floor(Math.sqrt(b)) + 1;
  const small = new Uint8Array(limit + 1);
  const composite = new Uint8Array(b - a);
  for (let p = 2; p <= limit; p++) {
    if (small[p]) continue;
    for (let m = p * p; m <= limit; m += p) small[m] = 1;
    for (let m = Math.max(p * p, Math.ceil(a / p) * p); m < b; m += p) composite[m - a] = 1;
  }
  let count = 0;
  for (let i = 0; i < composite.length; i++) if (!composite[i] && a + i >= 2) count++;
  return count;
}
