/**
 * @module
 * `anygrid why JOB`: why a job's tasks are (not) running — its tasks' states, and, per
 * requirement, how many connected hosts fail it and what would help
 * (`GET /v1/jobs/{id}/diagnostics`).
 */

import type { JobDiagnostics } from '@anygrid/protocol';
import type { Command } from 'commander';
import { addClientOptions, type ClientOptions, clientFrom, jobIdArg } from '../client-options.js';
import { printJson, println } from '../output.js';

export function registerWhy(program: Command): void {
  const cmd = program
    .command('why')
    .summary('say why a job is not running')
    .description(
      "Say why a job's tasks are not running: how many are queued, running or waiting for " +
        'parents; per requirement, how many connected hosts fail it (e.g. "0 of 12 connected ' +
        'hosts have ≥ 32 GiB memory (largest: 16 GiB)"); and whether the hosts that qualify ' +
        'are quarantined, out of quota or busy with higher-priority work.',
    )
    .argument('<job>', 'job id', jobIdArg)
    .addHelpText('after', '\nExample:\n  anygrid why 7\n  anygrid why 7 --json');
  addClientOptions(cmd).action(async (id: number, flags: ClientOptions) => {
    const d = await clientFrom(flags).job(id).diagnostics();
    if (flags.json) printJson(d);
    else for (const line of whyLines(d)) println(line);
  });
}

/** The diagnosis in lines for people. */
export function whyLines(d: JobDiagnostics): string[] {
  const t = d.tasks;
  const lines = [
    `job ${d.jobId} ${d.state}: ${t.settled} of ${t.total} tasks settled, ${t.queued} queued, ${t.running} running, ${t.waitingForParents} waiting for parents`,
    `hosts: ${d.hosts.connected} connected, ${d.hosts.eligible} meet the job's requirements`,
  ];
  for (const r of d.requirements) {
    // FAIL only when no connected host meets it; SOME when others still do.
    const mark = r.failing === 0 ? 'ok  ' : r.failing < r.connected ? 'SOME' : 'FAIL';
    lines.push(`  ${mark} ${r.wanted}: ${r.message}`);
  }
  if (d.signature) lines.push(`  signature: ${d.signature.message}`);
  if (d.messages.length === 0) {
    lines.push(
      t.queued > 0
        ? 'nothing holds the job back: hosts will take its tasks as they ask for work'
        : 'no task is waiting for a host',
    );
  } else {
    // The messages repeat the requirements' for readers of `messages` alone: said once here.
    const shown = new Set(d.requirements.map((r) => r.message));
    const rest = d.messages.filter((m) => !shown.has(m));
    for (const [i, m] of rest.entries()) {
      // A heading whose list was all said above points there instead.
      lines.push(
        i === rest.length - 1 && m.endsWith(':') ? `${m.slice(0, -1)} (see the lines above).` : m,
      );
    }
  }
  return lines;
}
