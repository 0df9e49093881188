/**
 * @module
 * End-to-end validated tasks per second through the real protocol: a coordinator
 * process, agent processes, trivial.wasm tasks submitted with the SDK and every result
 * consumed from the SSE stream, timed from submit to the last result read. Redundancy 1
 * (one agent, and two), where each task runs once and nothing is cross-checked, and
 * redundancy 2 on two agents, where each task runs on both hosts and is accepted when
 * their outputs agree — side by side, each row saying what it measures.
 *
 * The `adaptive` row runs the same tasks with
 * `validation: { mode: 'adaptive', partners: 1 }` on two honest agents: each host's first
 * results are checked by the other, then fewer and fewer down to the 5 % floor — the
 * cost to compare with redundancy 1.
 *
 * Each configuration runs `runs` times on a fresh coordinator, in rounds of every
 * configuration, and the median run is reported with the range: on this VM the same run
 * varies by ±10 % from one to the next. The `adaptive` row's `vsR1` is the median over
 * rounds of its run ÷ the redundancy-1 run of the same round (issue 10: ≥ 0.9).
 */

import { join } from 'node:path';
import { Anygrid } from '@anygrid/sdk';
import Database from 'better-sqlite3';
import { bullmqOnce } from './bullmq.js';
import { procStats, selfCpuSeconds } from './proc.js';
import { startAgents, startCoordinator } from './processes.js';
import { redisUp } from './redis.js';
import { round } from './stats.js';

/**
 * Agent processes × slots per configuration; a task's replicas never share a host.
 * `versus`: each run is preceded by the same number of jobs through BullMQ without result
 * delivery (add then process, bench/bullmq.js), so the ratio compares runs seconds
 * apart — this VM's speed drifts by ±15 % over a few minutes.
 */
const CONFIGS = [
  { redundancy: 1, agents: 1, slots: 1, versus: true },
  { redundancy: 1, agents: 2, slots: 1 },
  { redundancy: 2, agents: 2, slots: 1 },
  { redundancy: 1, validation: 'adaptive', agents: 2, slots: 1 },
  { redundancy: 1, paid: true, agents: 1, slots: 1 },
];

/**
 * The paid row's prices, micro-credits: the agent asks 1 µ per normalized CPU-second,
 * the job's ceiling is 10 µ, and the requester is credited far more than the escrow.
 */
const ASK_CPU_CREDITS = '0.000001';
const PAID_PRICING = {
  ceiling: { cpuSecond: 10, memGiBSecond: 0, gpuSecond: 0 },
  tier: 'standard',
};
const FUNDS = 1e15;

const MEASURES = {
  1: 'submit → last result read by the requester; each task run once, not cross-checked',
  2: 'submit → last result read by the requester; each task run on 2 hosts, outputs compared',
  adaptive:
    'submit → last result read by the requester; each task run once, a second time when its host is untrusted or drawn (≥ 5 %)',
  paid: 'submit → last result read by the requester; each task run once, not cross-checked, escrow reserved at submit and the host paid for each accepted result in its report transaction',
};

export async function throughput({ tasks = 100_000, runs = 3, configs = CONFIGS } = {}) {
  const samples = configs.map(() => []);
  const bullRatios = configs.map(() => []);
  const r1Ratios = configs.map(() => []);
  // The unpaid redundancy-1 run each `adaptive` or paid run is paired with: same agents,
  // same round.
  const baseline = configs.map((c) =>
    c.validation || c.paid
      ? configs.findIndex(
          (b) => !b.validation && !b.paid && b.redundancy === 1 && b.agents === c.agents,
        )
      : -1,
  );
  const redis = await redisUp();
  // Rounds of every configuration, not one configuration's runs after another: this VM's
  // speed drifts by ±15 % over a few minutes, so a ratio between two rows compares runs
  // seconds apart only when they are interleaved.
  for (let i = 0; i < runs; i++) {
    const thisRound = [];
    for (const [k, config] of configs.entries()) {
      // BullMQ first, then a pause: what a finished run leaves behind (files being
      // written back, processes exiting) must slow neither side's figure.
      const bull = config.versus && redis ? await bullmqOnce(tasks, 100, false) : undefined;
      if (bull) await new Promise((r) => setTimeout(r, 1000));
      const sample = await once(tasks, config);
      samples[k].push(sample);
      thisRound[k] = sample;
      if (bull) {
        bullRatios[k].push(sample.tasksPerSecond / bull.jobsPerSecond);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    for (const [k, b] of baseline.entries())
      if (b >= 0 && thisRound[b])
        r1Ratios[k].push(thisRound[k].tasksPerSecond / thisRound[b].tasksPerSecond);
  }
  return configs.map((config, k) => {
    const sorted = [...samples[k]].sort((a, b) => a.tasksPerSecond - b.tasksPerSecond);
    const median = sorted[Math.floor(sorted.length / 2)];
    const perSecond = sorted.map((s) => s.tasksPerSecond);
    return {
      name: `throughput ${config.validation ?? `r=${config.redundancy}`}${config.paid ? ' paid' : ''}, ${config.agents} agent${config.agents > 1 ? 's' : ''}`,
      ...median,
      runs,
      range: `${Math.min(...perSecond)}–${Math.max(...perSecond)}`,
      // Median over runs of Anygrid ÷ the BullMQ run (no delivery) right before it.
      vsBullmq: medianOf(bullRatios[k]) ?? '—',
      // Median over rounds of this run ÷ the redundancy-1 run of the same round.
      vsR1: medianOf(r1Ratios[k]) ?? '—',
      measures:
        MEASURES[config.paid ? 'paid' : (config.validation ?? config.redundancy)] ??
        `redundancy ${config.redundancy}`,
    };
  });
}

function medianOf(values) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.floor(sorted.length / 2)], 2);
}

/** One run on a fresh coordinator: the figures of its row. */
async function once(tasks, { redundancy, validation, paid, agents, slots }) {
  const coord = await startCoordinator();
  const asks = paid ? ['--ask-cpu', ASK_CPU_CREDITS] : [];
  const pool = await startAgents(coord.url, () => coord.token('provider'), agents, slots, asks);
  try {
    const requester = await coord.token('requester');
    if (paid) await coord.fund(requester, FUNDS);
    const grid = new Anygrid({ url: coord.url, token: requester });
    const cpu0 = cpuNow(coord.pid, pool.pids);
    const t0 = performance.now();
    const job = await grid.submit({
      module: 'examples/trivial.wasm',
      tasks: Array.from({ length: tasks }, (_, i) => ({ args: [String(i)] })),
      redundancy,
      // Two agents are two accounts: one partner each is all trust can ask of them (the
      // anti-collusion rule's default of 3 would keep every task replicated here).
      ...(validation ? { validation: { mode: validation, partners: 1 } } : {}),
      ...(paid ? { pricing: PAID_PRICING } : {}),
    });
    const submitted = performance.now();
    let n = 0;
    for await (const r of job.results()) if (r.outcome === 'valid') n++;
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = cpuNow(coord.pid, pool.pids);
    const usPerTask = (role) => round(((cpu1[role] - cpu0[role]) * 1e6) / tasks);
    return {
      tasks,
      agents,
      ...(paid ? { paidReplicas: paidReplicas(coord.dataDir) } : {}),
      ...(validation ? { replicasPerTask: replicasPerTask(coord.dataDir, tasks) } : {}),
      slots,
      validated: n,
      submitMs: round(submitted - t0),
      seconds: round(seconds, 2),
      tasksPerSecond: round(n / seconds),
      // CPU per task, all threads, so the cost of each part of the pipeline shows.
      coordinatorUs: usPerTask('coordinator'),
      agentsUs: usPerTask('agents'),
      requesterUs: usPerTask('requester'),
    };
  } finally {
    await pool.stop();
    await coord.stop();
  }
}

/** Replicas the job made per task (abandoned ones aside), read from the coordinator's store. */
function replicasPerTask(dataDir, tasks) {
  const db = new Database(join(dataDir, 'anygrid.db'), { readonly: true });
  try {
    const n = db.prepare(`SELECT COUNT(*) FROM replicas WHERE state <> 'abandoned'`).pluck().get();
    return round(n / tasks, 3);
  } finally {
    db.close();
  }
}

/** Replicas the ledger paid (a standing payment), read from the coordinator's store. */
function paidReplicas(dataDir) {
  const db = new Database(join(dataDir, 'anygrid.db'), { readonly: true });
  try {
    return db
      .prepare(
        'SELECT COUNT(*) FROM replicas WHERE paid_transfer IS NOT NULL AND paid_transfer <> 0',
      )
      .pluck()
      .get();
  } finally {
    db.close();
  }
}

function cpuNow(coordinatorPid, agentPids) {
  return {
    coordinator: procStats(coordinatorPid).cpuSeconds,
    agents: agentPids.reduce((sum, pid) => sum + procStats(pid).cpuSeconds, 0),
    requester: selfCpuSeconds(),
  };
}
