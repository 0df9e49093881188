/**
 * @module
 * `anygrid cancel JOB`: cancels a job's unsettled tasks; settled results stay.
 */

import type { Command } from 'commander';
import { addClientOptions, type ClientOptions, clientFrom, jobIdArg } from '../client-options.js';
import { printJson, println } from '../output.js';
import { settled } from '../progress-view.js';

export function registerCancel(program: Command): void {
  const cmd = program
    .command('cancel')
    .summary('cancel a job')
    .description("Cancel a job's unsettled tasks. Results already settled stay available.")
    .argument('<job>', 'job id', jobIdArg);
  addClientOptions(cmd).action(async (id: number, flags: ClientOptions) => {
    const view = await clientFrom(flags).job(id).cancel();
    if (flags.json) {
      printJson(view);
      return;
    }
    const p = view.progress;
    println(
      `job ${view.id} ${view.state}: ${settled(p)}/${p.total} settled, ${p.cancelled} cancelled`,
    );
  });
}
