/**
 * @module
 * Commands that only group others (`anygrid token`, `keys`, `team`): run alone, with or
 * without `--json`, or with a command they do not hold, they say which commands they
 * hold, as a usage error a script can read (JSON on stdout with `--json`), rather than
 * refusing `--json` as an unknown option.
 */

import type { Command } from 'commander';
import { usageError } from './cli-error.js';
import { addJsonOption } from './client-options.js';

/** Makes `group` answer being run without one of its commands; call after adding them. */
export function finishGroup(group: Command): void {
  const names = group.commands.map((c) => c.name());
  const held = `commands: ${names.join(', ')}`;
  // A group with an action of its own loses Commander's implicit `help` command.
  group.helpCommand(true);
  addJsonOption(group)
    .argument('[command]', 'one of its commands')
    // Commander would list the command twice: as the group's and as this argument.
    .usage('[options] [command]')
    .action((command?: string) => {
      const usage = `anygrid ${group.name()}`;
      throw usageError(
        command === undefined
          ? `\`${usage}\` needs a command: ${names.join(', ')}`
          : `\`${usage}\` has no command "${command}"; ${held}`,
        group.name(),
      );
    });
}
