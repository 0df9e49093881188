/**
 * @module
 * `anygrid jobs`: this token's jobs, one line each.
 */

import type { Command } from 'commander';
import { addClientOptions, type ClientOptions, clientFrom } from '../client-options.js';
import { JOB_LINE_HEADER, jobLine } from '../job-format.js';
import { note, printJson, println } from '../output.js';

export function registerJobs(program: Command): void {
  const cmd = program
    .command('jobs')
    .summary('list your jobs')
    .description("List the jobs of this token's account with their state and progress.");
  addClientOptions(cmd).action(async (flags: ClientOptions) => {
    const jobs = await clientFrom(flags).jobs();
    if (flags.json) {
      printJson({ jobs });
      return;
    }
    if (!jobs.length) {
      note('no jobs yet; submit one with `anygrid submit MODULE --args ... --wait`');
      return;
    }
    println(JOB_LINE_HEADER);
    for (const job of jobs) println(jobLine(job));
  });
}
