/**
 * @module
 * `anygrid status JOB`: a job's state, progress counts and policy.
 */

import type { Command } from 'commander';
import { addClientOptions, type ClientOptions, clientFrom, jobIdArg } from '../client-options.js';
import { jobDetails } from '../job-format.js';
import { printJson, println } from '../output.js';

export function registerStatus(program: Command): void {
  const cmd = program
    .command('status')
    .summary("show a job's state and progress")
    .description(
      "Show a job's state, progress counts (valid, failed, no consensus, pending) and policy.",
    )
    .argument('<job>', 'job id', jobIdArg);
  addClientOptions(cmd).action(async (id: number, flags: ClientOptions) => {
    const view = await clientFrom(flags).job(id).view();
    if (flags.json) printJson(view);
    else for (const line of jobDetails(view)) println(line);
  });
}
