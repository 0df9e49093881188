/**
 * @module
 * The store's and scheduler's CPU per validated task, in this process, without HTTP or
 * agents: two hosts pull 200 replicas at a time and report every one a success, until
 * the job is done. Redundancy 1 (each task run once, not cross-checked) against
 * `adaptive` (a second run while a host is untrusted or drawn, ≥ 5 %), in alternating
 * rounds; the median of each is reported, and adaptive's ratio to redundancy 1 in the
 * same round. This isolates what validation costs the coordinator per task from the
 * noise of the end-to-end run, where agents share the same two cores.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hub, Scheduler, SqliteStore } from '@anygrid/coordinator';
import { resolvePolicy } from '@anygrid/coordinator/policy';
import { percentile, round } from './stats.js';

const median = (xs) => percentile(xs, 50);

const PER_PULL = 200;
const MODES = {
  r1: {
    policy: {},
    measures: 'store + scheduler CPU per task; each task run once, not cross-checked',
  },
  adaptive: {
    // Two accounts: one partner each is all trust can ask of them (docs/validation.md).
    policy: { validation: { mode: 'adaptive', partners: 1 } },
    measures:
      'store + scheduler CPU per task; each task run once, a second time when its host is untrusted or drawn (≥ 5 %)',
  },
};

/** CPU microseconds per task for one run of `tasks` tasks under `mode`, and replicas per task. */
export async function once(tasks, mode) {
  const dir = mkdtempSync(join(tmpdir(), 'anygrid-store-cost-'));
  const store = new SqliteStore(join(dir, 'anygrid.db'), {
    dailyQuota: { initial: 1e7, max: 1e8, min: 1 },
  });
  await store.migrate();
  const owner = await store.createToken('requester', 'bench', 'r', undefined, 0);
  const scheduler = new Scheduler(store, new Hub());
  const hosts = [];
  // Hosts of two accounts on one address: a compared task may go to both.
  for (let h = 0; h < 2; h++) {
    const prov = await store.createToken('provider', `prov${h}`, `p${h}`, undefined, 0);
    const info = {
      name: `h${h}`,
      platform: 'linux-x64',
      cores: 1,
      memoryBytes: 1,
      slots: 1,
      runtimes: ['wasm32-wasi'],
    };
    hosts.push(
      await store.registerHost(prov.accountId, info, Date.now(), { address: '127.0.0.1' }),
    );
  }
  const { changes } = await store.createJob(
    owner.accountId,
    {
      module: { hash: 'a'.repeat(64), size: 1 },
      policy: resolvePolicy(MODES[mode].policy),
      tasks: Array.from({ length: tasks }, (_, i) => ({ args: [String(i)], env: {}, files: {} })),
    },
    Date.now(),
  );
  scheduler.publish(changes);
  const started = process.cpuUsage();
  let replicas = 0;
  // A check waits a little for a trusted host (adaptive): idle pulls, bounded.
  for (let idle = 0; idle < 20; ) {
    let pulled = 0;
    for (const hostId of hosts) {
      const sent = await scheduler.assign(hostId, PER_PULL, undefined, 60);
      if (sent.length === 0) continue;
      pulled += sent.length;
      const reports = sent.map((a) => ({
        replicaId: a.replicaId,
        success: true,
        digest: 'd'.repeat(64),
        exitCode: 0,
        stdout: null,
        stderr: null,
        files: {},
        error: null,
        durationMs: 1,
      }));
      scheduler.publish((await store.applyReports(hostId, reports, Date.now())).changes);
    }
    replicas += pulled;
    if (pulled > 0) idle = 0;
    else {
      idle++;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const cpu = process.cpuUsage(started);
  const principal = { accountId: owner.accountId, account: 'bench', role: 'requester' };
  const valid = (await store.getJob(1, principal))?.progress.valid;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  if (valid !== tasks) throw new Error(`${mode}: ${valid} of ${tasks} tasks valid`);
  return { us: (cpu.user + cpu.system) / tasks, replicasPerTask: replicas / tasks };
}

export async function storeCost({ tasks = 60_000, rounds = 5 } = {}) {
  const runs = { r1: [], adaptive: [] };
  const ratios = [];
  for (let i = 0; i < rounds; i++) {
    const r1 = await once(tasks, 'r1');
    const adaptive = await once(tasks, 'adaptive');
    runs.r1.push(r1);
    runs.adaptive.push(adaptive);
    ratios.push(adaptive.us / r1.us);
  }
  return Object.entries(runs).map(([mode, samples]) => ({
    name: `store cost ${mode}, 2 hosts`,
    tasks,
    runs: rounds,
    cpuUsPerTask: round(median(samples.map((s) => s.us)), 1),
    range: `${round(Math.min(...samples.map((s) => s.us)), 1)}–${round(Math.max(...samples.map((s) => s.us)), 1)}`,
    replicasPerTask: round(median(samples.map((s) => s.replicasPerTask)), 3),
    vsR1: mode === 'r1' ? '—' : round(median(ratios), 2),
    measures: MODES[mode].measures,
  }));
}
