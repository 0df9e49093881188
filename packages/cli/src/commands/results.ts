/**
 * @module
 * `anygrid results JOB [--out DIR]`: the settled results of a job, written as files
 * (`<index>.stdout` and `<index>.stderr` when not empty, `<index>/<path>`) or printed;
 * `--follow` streams them until the job is finished.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TaskResult } from '@anygrid/protocol';
import type { Job, JobResult } from '@anygrid/sdk';
import type { Command } from 'commander';
import { addClientOptions, type ClientOptions, clientFrom, jobIdArg } from '../client-options.js';
import { followNotice, retryReporter } from '../follow-notice.js';
import { intOption } from '../options.js';
import { note, printJson, println } from '../output.js';
import { candidatePath, outputFilePath, stderrPath, stdoutPath } from '../result-files.js';
import { resultLine } from '../result-line.js';
import { TASK_FILES_HELP } from '../task-files-help.js';

interface ResultsFlags extends ClientOptions {
  out?: string;
  follow?: boolean;
  after?: number;
}

export function registerResults(program: Command): void {
  const cmd = program
    .command('results')
    .summary("fetch a job's results")
    .description(
      "Fetch a job's settled results. With --out DIR, write <index>.stdout and <index>.stderr " +
        '(each when not empty), output files as <index>/<path> and, for a task without consensus, ' +
        'each candidate stdout as <index>.candidate-<k>.stdout; otherwise print one line per ' +
        'result. With --follow, stream results as they settle until the job is finished (with ' +
        '--json, one JSON line per result); when the coordinator stops answering, it says so on ' +
        'stderr, with the --after cursor to resume from on another coordinator, and keeps ' +
        'retrying for up to 10 minutes. A result ' +
        'marked (corrected) replaces the one printed (or written) before for its task: a provider ' +
        'was caught cheating and the task was verified again.',
    )
    .argument('<job>', 'job id', jobIdArg)
    .option('--out <dir>', 'write results into DIR')
    .option('--follow', 'keep streaming until the job is finished')
    .option('--after <cursor>', 'only results after this cursor', intOption(0))
    .addHelpText('after', TASK_FILES_HELP);
  addClientOptions(cmd).action((id: number, flags: ResultsFlags) => results(id, flags));
}

async function results(id: number, flags: ResultsFlags): Promise<void> {
  // The cursor of the last result received: where a follower resumes elsewhere.
  let cursor = flags.after ?? 0;
  const onRetry = retryReporter((n, saidAt) => followNotice(id, cursor, n, saidAt), note);
  const retry = flags.follow ? { onRetry } : undefined;
  const job = clientFrom(flags, retry).job(id);
  const raw: TaskResult[] = [];
  // A corrected result replaces the task's earlier one: counted once, by its last outcome.
  const latest = new Map<number, JobResult>();
  let corrections = 0;
  for await (const r of stream(job, flags)) {
    cursor = Math.max(cursor, r.cursor);
    // Followed results go out as they come, one JSON document per line.
    if (flags.json && flags.follow) printJson(r.raw);
    else raw.push(r.raw);
    latest.set(r.index, r);
    if (r.corrected) corrections++;
    if (flags.out) await writeResult(job, r, flags.out);
    else if (!flags.json) println(resultLine(r.raw, r.stdout));
  }
  if (flags.json) {
    if (!flags.follow) printJson({ results: raw });
    return;
  }
  const counts = new Map<string, number>();
  for (const r of latest.values()) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  const summary =
    [...counts].map(([k, v]) => `${v} ${k.replace('_', ' ')}`).join(', ') || 'none yet';
  const where = flags.out ? ` written to ${flags.out}` : '';
  const fixed = corrections ? ` (${corrections} corrected after a re-check)` : '';
  note(`${latest.size} result(s)${where}: ${summary}${fixed}`);
}

/** Settled results now, or all of them as they settle with --follow. */
function stream(job: Job, flags: ResultsFlags): AsyncGenerator<JobResult> {
  return job.results({ after: flags.after, follow: flags.follow ?? false });
}

async function writeResult(job: Job, r: JobResult, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  // An empty file per silent task would bury the few that printed something.
  if (r.stdoutBytes.byteLength) await writeFile(stdoutPath(dir, r.index), r.stdoutBytes);
  if (r.stderr) await writeFile(stderrPath(dir, r.index), r.stderr);
  // Without consensus there is no canonical output; each distinct one is kept to compare.
  for (const [k, c] of r.candidates.entries()) {
    if (c.stdout) await writeFile(candidatePath(dir, r.index, k), await job.output(c.stdout));
  }
  for (const name of Object.keys(r.files)) {
    const path = outputFilePath(dir, r.index, name);
    if (!path) {
      note(`skipped output file ${JSON.stringify(name)} of task ${r.index}: unsafe name`);
      continue;
    }
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await job.file(r, name));
  }
}
