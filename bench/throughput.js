/**
 * @module
 * End-to-end validated tasks per second through the real protocol: a coordinator
 * process, several agent processes, trivial.wasm tasks submitted with the SDK and every
 * result consumed from the SSE stream. Redundancy 1 and 2.
 */

import { Anygrid } from '@anygrid/sdk';
import { procStats, selfCpuSeconds } from './proc.js';
import { startAgents, startCoordinator } from './processes.js';
import { round } from './stats.js';

export async function throughput({
  tasks = 100_000,
  agents = 1,
  slots = 2,
  redundancies = [1, 2],
} = {}) {
  const rows = [];
  for (const redundancy of redundancies) {
    const coord = await startCoordinator();
    // A task's replicas never share a host: redundancy r needs at least r agents.
    const hosts = Math.max(agents, redundancy);
    const pool = await startAgents(
      coord.url,
      await coord.token('provider'),
      hosts,
      hosts > agents ? 1 : slots,
    );
    const grid = new Anygrid({ url: coord.url, token: await coord.token('requester') });
    const cpu0 = cpuNow(coord.pid, pool.pids);
    const t0 = performance.now();
    const job = await grid.submit({
      module: 'examples/trivial.wasm',
      tasks: Array.from({ length: tasks }, (_, i) => ({ args: [String(i)] })),
      redundancy,
    });
    const submitted = performance.now();
    let n = 0;
    for await (const r of job.results()) if (r.outcome === 'valid') n++;
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = cpuNow(coord.pid, pool.pids);
    const usPerTask = (role) => round(((cpu1[role] - cpu0[role]) * 1e6) / tasks);
    rows.push({
      name: `throughput r=${redundancy}`,
      tasks,
      agents: hosts,
      slots: hosts > agents ? 1 : slots,
      validated: n,
      submitMs: round(submitted - t0),
      seconds: round(seconds, 2),
      tasksPerSecond: round(n / seconds),
      // CPU per task, all threads, so the cost of each part of the pipeline shows.
      coordinatorUs: usPerTask('coordinator'),
      agentsUs: usPerTask('agents'),
      requesterUs: usPerTask('requester'),
    });
    await pool.stop();
    await coord.stop();
  }
  return rows;
}

function cpuNow(coordinatorPid, agentPids) {
  return {
    coordinator: procStats(coordinatorPid).cpuSeconds,
    agents: agentPids.reduce((sum, pid) => sum + procStats(pid).cpuSeconds, 0),
    requester: selfCpuSeconds(),
  };
}
