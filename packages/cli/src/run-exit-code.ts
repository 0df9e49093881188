/**
 * @module
 * The process exit code of `anygrid run` for each sandbox failure, so scripts can tell a
 * timeout from a crash the way `timeout(1)` and shells do.
 */

/** Exit code per failure code; a module's own non-zero exit passes through unchanged. */
export const FAILURE_EXIT_CODES: Readonly<Record<string, number>> = {
  time_limit: 124,
  memory_limit: 125,
  invalid_module: 126,
  output_limit: 123,
  trap: 134,
};

/** The exit code for a run that ended with `exitCode` and maybe a failure. */
export function runExitCode(exitCode: number | null, failure?: { code: string }): number {
  if (!failure || failure.code === 'exit_code') return exitCode ?? 1;
  return FAILURE_EXIT_CODES[failure.code] ?? 1;
}
