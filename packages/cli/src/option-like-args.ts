/**
 * @module
 * Task arguments that look like options, given to `submit --args`. Commander takes the
 * first value after `--args` whatever it looks like, then ends the list at the next
 * dash word: `--args -voice kal -o out.wav` would send `-voice kal` and then fail on
 * `-o`, and `--args -- -x` would send `--` as an argument. Real programs take dash
 * options, so rather than guess which words are ours and which the module's, such a
 * command line is refused up front with the two forms that say it unambiguously:
 * `-- ARGS…` at the end, or `--args=-x` per word.
 */

import { type CliError, usageError } from './cli-error.js';

/** The same test commander uses: `-5` and `-1.5e3` are values, not options. */
const NEGATIVE_NUMBER = /^-(\d+|\d*\.\d+)(e[+-]?\d+)?$/;

function looksLikeOption(word: string): boolean {
  return word.length > 1 && word.startsWith('-') && !NEGATIVE_NUMBER.test(word);
}

/**
 * The usage error for the first `--args` value in `argv` (a command's own words, before
 * commander parses them) that looks like an option and is not one of `known` (the
 * command's own flags), or undefined when there is none.
 */
export function optionLikeArgsError(
  argv: readonly string[],
  known: ReadonlySet<string>,
): CliError | undefined {
  // Values taken since the last `--args`, or -1 outside its list.
  let taken = -1;
  for (const word of argv) {
    if (word === '--args') {
      taken = 0;
      continue;
    }
    if (taken > 0 && word === '--') return undefined;
    if (taken >= 0 && looksLikeOption(word)) {
      const isOurs = known.has(word.split('=')[0] as string);
      if (taken > 0 && isOurs) {
        taken = -1;
        continue;
      }
      return refusal(word);
    }
    if (word === '--') return undefined;
    if (taken >= 0) taken++;
  }
  return undefined;
}

function refusal(word: string): CliError {
  if (word === '--') {
    return usageError(
      "`--args --` is not a way to pass arguments; drop --args and put the task's arguments " +
        'last, after --: anygrid submit MODULE [options] -- ARGS…',
      'submit',
    );
  }
  const shown = JSON.stringify(word);
  return usageError(
    `--args value ${shown} looks like an option; put the task's arguments last, after --: ` +
      `anygrid submit MODULE [options] -- ${word} … (or give each as --args=${word})`,
    'submit',
  );
}
