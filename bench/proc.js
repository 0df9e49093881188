/**
 * @module
 * What a process costs, read from /proc: resident memory and CPU seconds (user +
 * system, all threads). Linux only, as the benchmarks are.
 */

import { readFileSync } from 'node:fs';

export function procStats(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  return { rssMiB: rssKb / 1024, cpuSeconds: ticks / 100 };
}

/** CPU seconds this process has used so far (all threads). */
export function selfCpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
