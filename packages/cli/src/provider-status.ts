/**
 * @module
 * The human status of `anygrid provide`: one line, `host 3: 12 done, 2 running,
 * 1 failed; last warning 14:02:11 work request failed: …` (or `last error`, for what the
 * agent logged as one). In a terminal it is redrawn in
 * place, and other lines (joined, log lines) are printed above it; elsewhere (a log
 * file, `serve --dev` forwarding its agents' output) each change is a line of its own.
 */

import type { LoggedProblem } from './provider-log.js';

/** The agent's counters, as `Agent.stats()` gives them. */
export interface AgentCounts {
  readonly completed: number;
  readonly failed: number;
  readonly running: number;
}

/** The status of host `hostId` as one line of text. */
export function statusText(hostId: number, counts: AgentCounts, problem?: LoggedProblem): string {
  const tasks = `${counts.completed} done, ${counts.running} running, ${counts.failed} failed`;
  if (!problem) return `host ${hostId}: ${tasks}`;
  const at = new Date(problem.time).toTimeString().slice(0, 8);
  return `host ${hostId}: ${tasks}; last ${problem.severity} ${at} ${problem.message}`;
}

/** Where the status goes: stdout, a terminal or not. */
export interface StatusOutput {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

/** Erases the terminal line the cursor is on. */
const CLEAR_LINE = '\r\u001b[2K';

/** The status line and the lines printed around it. */
export class StatusLine {
  private current = '';

  constructor(private readonly out: StatusOutput) {}

  /** Shows `text` as the status: redrawn in a terminal, else a new line when it changed. */
  show(text: string): void {
    if (text === this.current) return;
    this.current = text;
    if (this.out.isTTY) this.out.write(CLEAR_LINE + this.fit(text));
    else this.out.write(`${text}\n`);
  }

  /** Prints `line` as a line of its own, above the status in a terminal. */
  print(line: string): void {
    this.above(() => this.out.write(`${line}\n`));
  }

  /** Runs `write` (which ends its output with a newline) with the status line out of the way. */
  above(write: () => void): void {
    if (!this.out.isTTY || !this.current) {
      write();
      return;
    }
    this.out.write(CLEAR_LINE);
    write();
    this.out.write(this.fit(this.current));
  }

  /** Ends the status line, so what follows starts on a line of its own. */
  end(): void {
    if (this.out.isTTY && this.current) this.out.write('\n');
    this.current = '';
  }

  /** A wrapped line could not be redrawn in place: cut it to the terminal's width. */
  private fit(text: string): string {
    const width = this.out.columns ?? 0;
    return width > 1 && text.length >= width ? `${text.slice(0, width - 2)}…` : text;
  }
}
