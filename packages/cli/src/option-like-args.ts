/**
 * @module
 * Task arguments that look like options, given to `submit --args`. Commander takes the
 * first value after a variadic option whatever it looks like, then ends the list at the
 * next dash word: `--args -voice kal -o out.wav` would fail on `-o`. Real programs take
 * dash options, so before commander parses, every word after `--args` up to the next
 * option of `submit` itself (or `--`) is spread into `--args=WORD`, one value each,
 * which commander takes as it is. A program option spelled like one of submit's own
 * (`--name`, `--timeout`) still ends the list; `-- ARGS…` at the end is the form that
 * never needs this rule, and the one the help shows first.
 */

import type { Command } from 'commander';
import { type CliError, usageError } from './cli-error.js';

/**
 * The command line with each `--args` list spread into `--args=WORD` words. `known`
 * holds the command's own flags (`--wait`, `-h`, …); their `--flag=value` spellings end
 * a list too. Throws a usage error for `--args` followed by `--` or by nothing.
 */
export function spreadArgsValues(words: readonly string[], known: ReadonlySet<string>): string[] {
  const out: string[] = [];
  let inList = false;
  let taken = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word === '--') {
      if (inList && taken === 0) throw emptyList(word);
      out.push(...words.slice(i));
      return out;
    }
    if (word === '--args') {
      if (inList && taken === 0) throw emptyList(word);
      inList = true;
      taken = 0;
      continue;
    }
    if (inList && !known.has(word.split('=')[0] as string)) {
      out.push(`--args=${word}`);
      taken++;
      continue;
    }
    if (inList && taken === 0) throw emptyList(word);
    inList = false;
    out.push(word);
  }
  if (inList && taken === 0) throw emptyList(undefined);
  return out;
}

function emptyList(next: string | undefined): CliError {
  const after = next === undefined ? 'nothing' : `\`${next}\``;
  return usageError(
    `--args is followed by ${after}, not by a value; put the task's arguments last, after --: ` +
      'anygrid submit MODULE [options] -- ARGS…',
    'submit',
  );
}

/** `argv` (as in `process.argv`) with the `--args` lists of a `submit` command spread. */
export function withSpreadArgs(program: Command, argv: readonly string[]): string[] {
  const submit = program.commands.find((c) => c.name() === 'submit');
  if (argv[2] !== 'submit' || !submit) return [...argv];
  const known = new Set<string>();
  for (const o of submit.options) {
    if (o.long) known.add(o.long);
    if (o.short) known.add(o.short);
  }
  return [...argv.slice(0, 3), ...spreadArgsValues(argv.slice(3), known)];
}
