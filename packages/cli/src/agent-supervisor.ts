/**
 * @module
 * The local providers `anygrid serve --dev` runs: child processes of
 * `anygrid provide`, their output prefixed and forwarded to stderr, restarted with backoff
 * when they die, and stopped gracefully (SIGTERM, so they hand their tasks back) on exit.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LOG_LEVELS } from './log-level-option.js';

/** The CLI's own entry point, to spawn `anygrid provide` with. */
export const BIN_PATH = fileURLToPath(new URL('../bin/anygrid.js', import.meta.url));

/** What each supervised agent runs with. */
export interface AgentSpec {
  readonly name: string;
  readonly coordinator: string;
  readonly token: string;
  readonly slots: number;
  /** Cache directory, so a restarted agent keeps its host id and cached modules. */
  readonly cacheDir?: string;
}

/**
 * Whether an agent's output line is shown at `level`: its structured (pino JSON) log
 * lines below the level are dropped, everything else (its own status lines) is kept.
 */
export function shouldForward(line: string, level: string): boolean {
  if (!line.startsWith('{')) return true;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return true;
  }
  const lineLevel = (parsed as { level?: unknown }).level;
  if (typeof lineLevel !== 'number') return true;
  return lineLevel >= (LOG_LEVELS[level] ?? LOG_LEVELS.info ?? 30);
}

/** Keeps a set of `anygrid provide` processes alive until stopped. */
export class AgentSupervisor {
  private readonly children = new Map<string, ChildProcess>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private stopping = false;
  private readonly joined = new Set<string>();
  private onJoin: (() => void) | undefined;

  constructor(
    private readonly specs: readonly AgentSpec[],
    /** Agents' log lines below this pino level are not forwarded. */
    private readonly logLevel = 'info',
    private readonly log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  ) {}

  /** Starts every agent. */
  start(): void {
    for (const spec of this.specs) this.spawn(spec, 0);
  }

  /**
   * Resolves with the number of agents that have joined their coordinator once all have,
   * or when `timeoutMs` has passed, whichever comes first.
   */
  async whenJoined(timeoutMs: number): Promise<number> {
    if (this.joined.size < this.specs.length) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.onJoin = () => {
          if (this.joined.size < this.specs.length) return;
          clearTimeout(timer);
          resolve();
        };
      });
      this.onJoin = undefined;
    }
    return this.joined.size;
  }

  private markJoined(name: string): void {
    this.joined.add(name);
    this.onJoin?.();
  }

  /** Process ids of the running agents. */
  pids(): number[] {
    return [...this.children.values()].flatMap((c) => (c.pid ? [c.pid] : []));
  }

  /** SIGTERMs every agent, waits up to `timeoutMs`, then SIGKILLs what is left. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    const exits = [...this.children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
  }

  private spawn(spec: AgentSpec, restarts: number): void {
    const startedAt = Date.now();
    const child = spawn(
      process.execPath,
      [
        BIN_PATH,
        'provide',
        '--coordinator',
        spec.coordinator,
        '--name',
        spec.name,
        '--slots',
        String(spec.slots),
        ...(spec.cacheDir ? ['--cache', spec.cacheDir] : []),
      ],
      // The token travels in the environment, not argv, where `ps` would show it.
      { env: { ...process.env, ANYGRID_TOKEN: spec.token }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.children.set(spec.name, child);
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (l) => {
        if (l.startsWith('joined ')) this.markJoined(spec.name);
        if (shouldForward(l, this.logLevel)) this.log(`[${spec.name}] ${l}`);
      });
    }
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      // An agent that ran a while before dying restarts at once; a crash loop backs off.
      const ranLong = Date.now() - startedAt > 60_000;
      const next = ranLong ? 0 : restarts + 1;
      const delay = Math.min(30_000, 1000 * 2 ** Math.max(0, next - 1));
      this.log(
        `[${spec.name}] exited (${signal ?? `code ${code}`}); restarting in ${Math.round(delay / 1000)}s`,
      );
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!this.stopping) this.spawn(spec, next);
      }, delay);
      this.timers.add(timer);
    });
  }
}
