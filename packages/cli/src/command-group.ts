/**
 * @module
 * Commands that only group others (`anygrid token`, `anygrid keys`): run alone, with or
 * without `--json`, they say which commands they hold, as a usage error a script can read
 * (JSON on stdout with `--json`), rather than refusing `--json` as an unknown option.
 */

import type { Command } from 'commander';
import { usageError } from './cli-error.js';
import { addJsonOption } from './client-options.js';

/** Makes `group` answer being run without one of its commands; call after adding them. */
export function finishGroup(group: Command): void {
  const names = group.commands.map((c) => c.name()).filter((n) => n !== 'help');
  addJsonOption(group).action(() => {
    throw usageError(
      `\`anygrid ${group.name()}\` needs a command: ${names.join(', ')}`,
      group.name(),
    );
  });
}
