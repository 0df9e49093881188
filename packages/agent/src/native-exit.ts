/**
 * @module
 * How a native run ended, as the wasm sandbox's result says it (docs/variants.md): from
 * what the runner saw — whether it stopped the run itself (wall deadline, output flood),
 * bubblewrap's exit status (the program's, or 128 + the signal that killed it) and the
 * program's stderr — to an exit code and a failure code.
 */

import type { RunFailureCode } from '@anygrid/runtime';
import { SECCOMP_KILLED_STATUS } from './native-seccomp.js';

const SIGNALS: Readonly<Record<number, string>> = {
  4: 'SIGILL',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  24: 'SIGXCPU',
  25: 'SIGXFSZ',
  31: 'SIGSYS',
};

/** How a run was stopped from outside, if it was. */
export type Stop = 'deadline' | 'output' | 'aborted' | undefined;

/** How a run ended: its exit code (null when killed) and failure, from what was seen. */
export function ending(
  stop: Stop,
  code: number | null,
  sig: NodeJS.Signals | null,
  started: boolean,
  wallTimeMs: number,
  outputBytes: number,
  stderr: Uint8Array,
): { exitCode: number | null; failure?: { code: RunFailureCode; message: string } } {
  const fail = (c: RunFailureCode, message: string) => ({
    exitCode: null,
    failure: { code: c, message },
  });
  if (stop === 'deadline')
    return fail('time_limit', `Killed at the wall-time limit of ${wallTimeMs} ms.`);
  if (stop === 'output')
    return fail(
      'output_limit',
      `Killed: stdout and stderr passed the output limit of ${outputBytes} bytes.`,
    );
  if (code === null) return fail('trap', `The sandbox was killed by ${sig ?? 'a signal'}.`);
  // bubblewrap failing to set up exits 1 before it starts the program: not the program's fault.
  if (!started) throw new Error(`bubblewrap could not start the program (exit ${code})`);
  if (code === 0) return { exitCode: 0 };
  if (code <= 128 || code > 128 + 64) {
    const said = lastLine(stderr);
    const message = `The program exited with code ${code}${said ? `: ${said}` : '.'}`;
    return { exitCode: code, failure: { code: 'exit_code', message } };
  }
  const signo = code - 128;
  const name = SIGNALS[signo] ?? `signal ${signo}`;
  if (code === SECCOMP_KILLED_STATUS) {
    return fail(
      'sandbox_violation',
      'Killed by the sandbox (SIGSYS): the program asked for a network socket, which native variants may not use.',
    );
  }
  if (name === 'SIGXCPU') return fail('time_limit', 'Killed at its CPU-time limit (SIGXCPU).');
  if (name === 'SIGXFSZ')
    return fail(
      'output_limit',
      `Killed for writing a file past the output limit of ${outputBytes} bytes (SIGXFSZ).`,
    );
  if (name === 'SIGKILL')
    return fail('memory_limit', 'Killed (SIGKILL) by the system, most likely out of memory.');
  return fail('trap', `The program crashed (${name}).`);
}

/**
 * The last line the program wrote to stderr (at most 300 characters): a native program's
 * own word on why it failed, which the report's message carries, since stderr is not
 * part of a failed task's result.
 */
function lastLine(stderr: Uint8Array): string {
  const tail = new TextDecoder().decode(stderr.subarray(Math.max(0, stderr.byteLength - 4096)));
  const lines = tail.split('\n').filter((l) => l.trim() !== '');
  return (lines.at(-1) ?? '').trim().slice(0, 300);
}
