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
 *
 * The last configuration is a bound, not a way to run a grid: three independent grids on
 * the same machine and PostgreSQL server, each a coordinator with a schema of its own and
 * one of the agents, the job split between them and run at once. Nothing is shared, so no
 * locking or work-sharing scheme can make three coordinators on one store faster than
 * that; what it leaves below one coordinator is the cost of running more processes on
 * this machine's cores.
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
  { store: 'postgres', coordinators: 3, independent: true },
];

const MEASURES =
  'submit → last result read by the requester; each task run once, not cross-checked; CPU µs per task by process kind';

/**
 * 60 000 tasks a run: at 20 000 a run lasted about 4 s, and each process's own warm-up
 * (JIT, caches, its first pulls) was a large share of it, which a second and third
 * coordinator pay again; at 60 000 the figures are those of the steady state (on the
 * same code, 2 coordinators made 0.87x and 0.98x of one in two runs at 20 000 tasks,
 * 1.11x at 60 000). Five rounds: this machine's speed drifts by 10 % or more within
 * minutes, and a ratio of 0.9 or 1.0 is only read from a median of several.
 */
export async function scaleout({ tasks = 60_000, runs = 5, agents = 3, configs = CONFIGS } = {}) {
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
      name: config.independent
        ? `scaleout ${config.store}, ${config.coordinators} independent grids (bound)`
        : `scaleout ${config.store}, ${config.coordinators} coordinator${config.coordinators > 1 ? 's' : ''}`,
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

/**
 * One run: fresh coordinators (on a fresh schema), agents spread over them. Independent
 * grids get a schema each and a share of the job each, submitted and read at once.
 */
async function once(tasks, agentCount, { store, coordinators, independent = false }) {
  const stamp = `${Date.now().toString(36)}_${process.pid}`;
  const schemas = Array.from({ length: independent ? coordinators : 1 }, (_, c) =>
    independent ? `bench_${stamp}_${c}` : `bench_${stamp}`,
  );
  const shared = mkdtempSync(join(tmpdir(), 'anygrid-scaleout-blobs-'));
  const argsOf = (c) =>
    store === 'postgres'
      ? ['--store', `${POSTGRES}?schema=${schemas[c % schemas.length]}`, '--blobs', shared]
      : [];
  const coords = [];
  // One at a time: the first migrates the schema, the others find it done.
  for (let c = 0; c < coordinators; c++) coords.push(await startCoordinator({ args: argsOf(c) }));
  const pools = [];
  try {
    for (let a = 0; a < agentCount; a++) {
      const coord = coords[a % coords.length];
      pools.push(await startAgents(coord.url, () => coord.token('provider'), 1, 1));
    }
    // One requester on the first coordinator; independent grids each need their own.
    const entries = independent ? coords : coords.slice(0, 1);
    const grids = await Promise.all(
      entries.map(async (c) => new Anygrid({ url: c.url, token: await c.token('requester') })),
    );
    const agentPids = pools.flatMap((p) => p.pids);
    const cpu0 = cpuNow(coords, agentPids);
    const t0 = performance.now();
    const counts = await Promise.all(
      grids.map((grid, g) => runJob(grid, share(tasks, grids.length, g))),
    );
    const n = counts.reduce((sum, count) => sum + count, 0);
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
    if (store === 'postgres') for (const schema of schemas) dropSchema(schema);
  }
}

/** The size of part `g` of `tasks` split into `parts`. */
function share(tasks, parts, g) {
  return Math.floor(tasks / parts) + (g < tasks % parts ? 1 : 0);
}

/** Submits a job of `tasks` trivial tasks and reads every result; the valid ones counted. */
async function runJob(grid, tasks) {
  const job = await grid.submit({
    module: 'examples/trivial.wasm',
    tasks: Array.from({ length: tasks }, (_, i) => ({ args: [String(i)] })),
  });
  let n = 0;
  for await (const r of job.results()) if (r.outcome === 'valid') n++;
  return n;
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
