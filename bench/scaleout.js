/**
 * @module
 * Throughput with the PostgreSQL store, next to SQLite in the same run, and with 1, 2
 * and 3 coordinators sharing one PostgreSQL database: agents spread over the
 * coordinators, the requester submitting to and reading from the first. Every run is
 * the same job (trivial.wasm, redundancy 1: each task run once, not cross-checked),
 * timed from submit to the last result read, with the CPU each kind of process spent
 * per task — coordinators, PostgreSQL's server processes, agents, the requester — so
 * that the bottleneck shows. Configurations run in rounds, so that ratios compare runs
 * minutes apart at most; the median run is reported.
 */

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Anygrid } from '@anygrid/sdk';
import { procStats, selfCpuSeconds } from './proc.js';
import { startAgents, startCoordinator } from './processes.js';
import { round } from './stats.js';

const POSTGRES = process.env.ANYGRID_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

const CONFIGS = [
  { store: 'sqlite', coordinators: 1 },
  { store: 'postgres', coordinators: 1 },
  { store: 'postgres', coordinators: 2 },
  { store: 'postgres', coordinators: 3 },
];

const MEASURES =
  'submit → last result read by the requester; each task run once, not cross-checked; CPU µs per task by process kind';

/**
 * 60 000 tasks a run: at 20 000 a run lasted about 4 s, and each process's own warm-up
 * (JIT, caches, its first pulls) was a large share of it, which a second and third
 * coordinator pay again; at 60 000 the figures are those of the steady state (on the
 * same code, 2 coordinators made 0.87x and 0.98x of one in two runs at 20 000 tasks,
 * 1.11x at 60 000).
 */
export async function scaleout({ tasks = 60_000, runs = 3, agents = 3, configs = CONFIGS } = {}) {
  const samples = configs.map(() => []);
  const vsSqlite = configs.map(() => []);
  // Each PostgreSQL run against one coordinator on PostgreSQL in the same round: whether
  // adding a coordinator lowers the total, with the machine's drift between rounds out.
  const vsOne = configs.map(() => []);
  for (let i = 0; i < runs; i++) {
    const thisRound = [];
    for (const [k, config] of configs.entries()) {
      thisRound[k] = await once(tasks, agents, config);
      samples[k].push(thisRound[k]);
    }
    const sqlite = thisRound[configs.findIndex((c) => c.store === 'sqlite')];
    const one = thisRound[configs.findIndex((c) => c.store === 'postgres' && c.coordinators === 1)];
    for (const [k, config] of configs.entries()) {
      if (sqlite) vsSqlite[k].push(thisRound[k].tasksPerSecond / sqlite.tasksPerSecond);
      if (one && config.store === 'postgres')
        vsOne[k].push(thisRound[k].tasksPerSecond / one.tasksPerSecond);
    }
  }
  return configs.map((config, k) => {
    const sorted = [...samples[k]].sort((a, b) => a.tasksPerSecond - b.tasksPerSecond);
    const perSecond = sorted.map((s) => s.tasksPerSecond);
    return {
      name: `scaleout ${config.store}, ${config.coordinators} coordinator${config.coordinators > 1 ? 's' : ''}`,
      ...sorted[Math.floor(sorted.length / 2)],
      runs,
      range: `${Math.min(...perSecond)}–${Math.max(...perSecond)}`,
      vsSqlite: median(vsSqlite[k]),
      vsOneCoordinator: median(vsOne[k]),
      measures: MEASURES,
    };
  });
}

function median(values) {
  if (values.length === 0) return '—';
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.floor(sorted.length / 2)], 2);
}

/** One run: fresh coordinators (on a fresh schema), agents spread over them. */
async function once(tasks, agentCount, { store, coordinators }) {
  const schema = `bench_${Date.now().toString(36)}_${process.pid}`;
  const shared = mkdtempSync(join(tmpdir(), 'anygrid-scaleout-blobs-'));
  const args =
    store === 'postgres' ? ['--store', `${POSTGRES}?schema=${schema}`, '--blobs', shared] : [];
  const coords = [];
  // One at a time: the first migrates the schema, the others find it done.
  for (let c = 0; c < coordinators; c++) coords.push(await startCoordinator({ args }));
  const pools = [];
  try {
    for (let a = 0; a < agentCount; a++) {
      const coord = coords[a % coords.length];
      pools.push(await startAgents(coord.url, () => coord.token('provider'), 1, 1));
    }
    const first = coords[0];
    const grid = new Anygrid({ url: first.url, token: await first.token('requester') });
    const agentPids = pools.flatMap((p) => p.pids);
    const cpu0 = cpuNow(coords, agentPids);
    const t0 = performance.now();
    const job = await grid.submit({
      module: 'examples/trivial.wasm',
      tasks: Array.from({ length: tasks }, (_, i) => ({ args: [String(i)] })),
    });
    let n = 0;
    for await (const r of job.results()) if (r.outcome === 'valid') n++;
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = cpuNow(coords, agentPids);
    const us = (kind) => round(((cpu1[kind] - cpu0[kind]) * 1e6) / tasks);
    return {
      tasks,
      agents: agentCount,
      validated: n,
      seconds: round(seconds, 2),
      tasksPerSecond: round(n / seconds),
      coordinatorsUs: us('coordinators'),
      postgresUs: us('postgres'),
      agentsUs: us('agents'),
      requesterUs: us('requester'),
    };
  } finally {
    for (const pool of pools) await pool.stop();
    for (const coord of coords) await coord.stop();
    rmSync(shared, { recursive: true, force: true });
    if (store === 'postgres') dropSchema(schema);
  }
}

/** Drops a run's schema with everything in it. */
function dropSchema(schema) {
  const Libpq = createRequire(import.meta.url)('libpq');
  const pq = new Libpq();
  pq.connectSync(POSTGRES);
  pq.exec(`SET client_min_messages = warning; DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  pq.finish();
}

function cpuNow(coords, agentPids) {
  return {
    coordinators: coords.reduce((sum, c) => sum + procStats(c.pid).cpuSeconds, 0),
    postgres: postgresCpuSeconds(),
    agents: agentPids.reduce((sum, pid) => sum + procStats(pid).cpuSeconds, 0),
    requester: selfCpuSeconds(),
  };
}

/** CPU seconds of every PostgreSQL server process on this machine (user + system). */
function postgresCpuSeconds() {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.split(') ')[1].split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return total;
}
