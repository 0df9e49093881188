/**
 * @module
 * `anygrid quote MODULE [options] -- ARGS…`: what the job `anygrid submit` would create
 * with the same arguments would cost and how long it would take, from the hosts
 * connected now (`POST /v1/quotes`). Nothing is uploaded or reserved: the module is
 * hashed so the coordinator can size tasks from its earlier runs.
 */

import type { Quote } from '@anygrid/protocol';
import type { Command } from 'commander';
import { addClientOptions, clientFrom } from '../client-options.js';
import { addCompareOptions } from '../compare-options.js';
import { formatCredits } from '../credit-amount.js';
import { formatDuration, printJson, println } from '../output.js';
import { addJobOptions, type JobFlags, jobOptionsOf } from './submit.js';

export function registerQuote(program: Command): void {
  const cmd = program
    .command('quote')
    .summary("estimate a job's cost and completion time before submitting it")
    .description(
      'Estimate what `anygrid submit` with the same arguments would cost (min, expected, ' +
        'max, in credits) and when it would be done, from the asks, speeds and slots of ' +
        'the hosts connected now and the work queued ahead. Nothing is submitted.',
    )
    .usage('<module> [options] [-- args...]');
  addJobOptions(cmd).addHelpText(
    'after',
    '\nExamples:\n' +
      '  anygrid quote examples/prime.wasm --ceiling-cpu 0.00002 --tier priority -- 0 100000\n' +
      '  anygrid quote examples/prime.wasm --tasks ranges.jsonl --estimated-ops 4e9 --json',
  );
  addCompareOptions(cmd);
  addClientOptions(cmd).action(async (module: string, args: string[], flags: JobFlags) => {
    const options = await jobOptionsOf(module, args, flags, 'quote');
    const quote = await clientFrom(flags).quote(options);
    if (flags.json) printJson(quote);
    else for (const line of quoteLines(quote)) println(line);
  });
}

/** The quote in lines for people. */
export function quoteLines(q: Quote): string[] {
  const r = q.replicasPerTask;
  const cost = q.paid
    ? `cost: ${credits(q.cost.min)} min, ${credits(q.cost.expected)} expected, ${credits(q.cost.max)} max (reserved at submit)`
    : 'cost: free (no pricing: volunteers, hosts asking nothing, run it)';
  const when =
    q.completionSeconds === null
      ? 'completion: unknown (no eligible host connected)'
      : `completion: about ${formatDuration(q.completionSeconds * 1000)} (${q.queuedAhead} replicas queued ahead)`;
  return [
    `${q.tasks} task(s), ${r.expected} replica(s) each (${r.min}..${r.max})${q.tier ? `, tier ${q.tier}` : ''}`,
    `hosts: ${q.hosts.connected} connected, ${q.hosts.eligible} eligible with ${q.hosts.slots} slots`,
    `task size: ${q.taskSeconds} normalized CPU-seconds (${q.sizeSource})`,
    cost,
    when,
    ...q.messages,
  ];
}

/** Micro-credits as credits: `0.004200 credits`; `?` when unknown. */
function credits(micros: number | null): string {
  return micros === null ? '?' : `${formatCredits(micros)} credits`;
}
