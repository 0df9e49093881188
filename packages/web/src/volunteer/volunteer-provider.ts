/**
 * @module
 * The browser provider: registers this browser as a host and pulls, runs and reports
 * tasks over the provider protocol, through the Node agent's own `CoordinatorClient`
 * (answers checked against the protocol's schemas), report encoding and `Heartbeat`.
 * At most `threads` tasks run at once, each in a sandbox Web Worker. Pausing (on
 * request, tab hidden, battery low) stops pulling: running tasks finish and report, so
 * new work stops within a task's length. Leaving the page hands back what is still
 * running (`abandon`, sent with `keepalive`); if that request is lost, the leases time
 * out and the coordinator reissues the work.
 *
 * There is no push channel: a browser cannot set the Authorization header of a
 * WebSocket, so an idle page polls, backing off from half a second to five.
 */

import {
  Backoff,
  CoordinatorClient,
  FetchJson,
  Heartbeat,
  type HeartbeatOptions,
  type OutgoingReport,
} from '@anygrid/agent/browser';
import { AnygridError, type Assignment, ErrorCode } from '@anygrid/protocol';
import { registration } from './host-capabilities.js';
import type { Identity } from './identity.js';
import type { ModuleStore } from './module-store.js';
import { type PageSandbox, runTask } from './task-run.js';

/** Why the page is not pulling work. */
export type PauseReason = 'request' | 'hidden' | 'battery';

/** What the page shows. */
export interface ProviderView {
  readonly state: 'stopped' | 'starting' | 'running' | 'paused';
  readonly pausedFor: readonly PauseReason[];
  readonly done: number;
  readonly failed: number;
  /** Milliseconds the guests ran, all tasks together. */
  readonly computeMs: number;
  readonly running: readonly {
    replicaId: number;
    jobId: number;
    taskId: number;
    program: string;
  }[];
  /** Finished tasks whose reports are on their way. */
  readonly reporting: number;
  readonly hostId?: number;
  readonly lastError?: string;
}

export interface ProviderOptions {
  readonly baseUrl: string;
  readonly identity: Identity;
  readonly sandbox: PageSandbox;
  readonly modules: ModuleStore;
  readonly threads: number;
  /** The host id was (re)assigned: keep it with the identity. */
  readonly onHostId: (hostId: number) => void;
  /** Anything shown changed. */
  readonly onChange: () => void;
}

interface Running {
  readonly assignment: Assignment;
  readonly controller: AbortController;
}

const IDLE_POLL = { initialMs: 500, maxMs: 5000, factor: 1.6, jitter: 0.2 };

export class VolunteerProvider {
  private client: CoordinatorClient;
  private identity: Identity;
  private threads: number;
  private hostId: number | undefined;
  private heartbeat: Heartbeat | undefined;
  private state: ProviderView['state'] = 'stopped';
  private readonly paused = new Set<PauseReason>();
  private readonly running = new Map<number, Running>();
  /** Finished, report not yet acknowledged. */
  private readonly unreported = new Map<number, OutgoingReport>();
  private done = 0;
  private failed = 0;
  private computeMs = 0;
  private lastError: string | undefined;
  private wake: (() => void) | undefined;
  private readonly idle = new Backoff(IDLE_POLL);

  constructor(private readonly options: ProviderOptions) {
    this.identity = options.identity;
    this.threads = options.threads;
    this.hostId = options.identity.hostId;
    this.client = clientFor(options.baseUrl, options.identity.token);
  }

  view(): ProviderView {
    return {
      state: this.state === 'running' && this.paused.size > 0 ? 'paused' : this.state,
      pausedFor: [...this.paused],
      done: this.done,
      failed: this.failed,
      computeMs: this.computeMs,
      running: [...this.running.values()].map(({ assignment: a }) => ({
        replicaId: a.replicaId,
        jobId: a.jobId,
        taskId: a.taskId,
        program: a.argv0,
      })),
      reporting: this.unreported.size,
      ...(this.hostId === undefined ? {} : { hostId: this.hostId }),
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  /** Registers (once) and starts pulling work. */
  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'starting';
    this.changed();
    try {
      await this.register();
    } catch (error) {
      this.state = 'stopped';
      this.fail(error);
      throw error;
    }
    this.state = 'running';
    this.startHeartbeat();
    this.changed();
    void this.loop();
  }

  private startHeartbeat(): void {
    this.heartbeat?.stop();
    this.heartbeat = new Heartbeat({
      client: this.client,
      hostId: this.hostId as number,
      intervalMs: this.heartbeatMs,
      logger: consoleLogger,
      held: () => [...this.running.keys(), ...this.unreported.keys()],
      onCancel: (ids) => {
        for (const id of ids) this.running.get(id)?.controller.abort();
      },
    });
  }

  pause(reason: PauseReason): void {
    if (this.paused.has(reason)) return;
    this.paused.add(reason);
    this.changed();
  }

  resume(reason: PauseReason): void {
    if (!this.paused.delete(reason)) return;
    this.idle.reset();
    this.wake?.();
    this.changed();
  }

  isPaused(reason: PauseReason): boolean {
    return this.paused.has(reason);
  }

  /** Tasks at once from now on; the host registers again with its new slot count. */
  setThreads(threads: number): void {
    if (threads === this.threads) return;
    this.threads = threads;
    if (this.state === 'running') void this.register().catch((error) => this.fail(error));
    this.wake?.();
  }

  /**
   * Uses another token from now on (the identity was linked to an account): the host,
   * now that account's, registers again under its id; running tasks go on and report
   * with the new token.
   */
  async relink(identity: Identity): Promise<void> {
    this.identity = identity;
    this.client = clientFor(this.options.baseUrl, identity.token);
    if (this.state !== 'running') return;
    await this.register();
    this.startHeartbeat();
  }

  /**
   * The page is going away: hands back the replicas still running (a request that
   * outlives the page) and stops them. Finished ones whose reports are on their way are
   * not handed back: their reports may still arrive.
   */
  leave(): void {
    const ids = [...this.running.keys()];
    if (this.hostId !== undefined && ids.length > 0) {
      const goodbye = new CoordinatorClient({
        baseUrl: this.options.baseUrl,
        token: this.identity.token,
        transport: new FetchJson(this.options.baseUrl, true),
      });
      void goodbye.abandon({ hostId: this.hostId, replicaIds: ids }).catch(() => {});
    }
    this.stop();
  }

  stop(): void {
    this.state = 'stopped';
    this.heartbeat?.stop();
    for (const r of this.running.values()) r.controller.abort();
    this.wake?.();
  }

  private heartbeatMs = 30_000;

  private async register(): Promise<void> {
    const holding = [...this.running.keys(), ...this.unreported.keys()];
    const body = registration(this.threads, this.hostId, holding);
    let answer: { hostId: number; heartbeatMs: number };
    try {
      answer = await this.client.register(body);
    } catch (error) {
      // A host id of another account or one the coordinator forgot: join as a new host.
      if (!(error instanceof AnygridError) || this.hostId === undefined) throw error;
      const { hostId: _, holding: __, ...fresh } = body;
      answer = await this.client.register(fresh);
    }
    this.hostId = answer.hostId;
    this.heartbeatMs = answer.heartbeatMs;
    this.client.hostId = answer.hostId;
    this.options.onHostId(answer.hostId);
  }

  private async loop(): Promise<void> {
    while (this.state === 'running') {
      const free = this.threads - this.running.size;
      if (this.paused.size > 0 || free <= 0) {
        await this.sleep(60_000);
        continue;
      }
      try {
        const { assignments } = await this.client.work(this.hostId as number, free);
        if (assignments.length === 0) {
          await this.sleep(this.idle.next());
          continue;
        }
        this.idle.reset();
        if (this.paused.size > 0 || this.state !== 'running') {
          // Paused while the answer was on its way: nothing new starts, the work goes back.
          this.handBack(assignments.map((a) => a.replicaId));
          continue;
        }
        for (const a of assignments) this.run(a);
      } catch (error) {
        if (this.state !== 'running') return;
        this.fail(error);
        if (error instanceof AnygridError && error.code === ErrorCode.HOST_UNKNOWN) {
          this.hostId = undefined;
          await this.register().catch((e) => this.fail(e));
        }
        await this.sleep(this.idle.next());
      }
    }
  }

  private handBack(replicaIds: number[]): void {
    if (replicaIds.length === 0 || this.hostId === undefined) return;
    this.client.abandon({ hostId: this.hostId, replicaIds }).catch((error) => this.fail(error));
  }

  private run(assignment: Assignment): void {
    // Its lease ran out while it waited (a page frozen in the background): the
    // coordinator has given it to another host, and this run's answer would come late.
    if (Date.now() > assignment.deadline) return;
    const controller = new AbortController();
    this.running.set(assignment.replicaId, { assignment, controller });
    this.changed();
    const deps = {
      client: this.client,
      sandbox: this.options.sandbox,
      modules: this.options.modules,
    };
    void runTask(assignment, deps, controller.signal).then(async (ran) => {
      this.running.delete(assignment.replicaId);
      this.wake?.();
      this.changed();
      if (!ran) return;
      this.unreported.set(assignment.replicaId, ran.outgoing);
      this.computeMs += ran.outgoing.report.durationMs;
      await this.send(ran.outgoing);
    });
  }

  /** Uploads the report's large outputs, then the report; retried while the page runs. */
  private async send(outgoing: OutgoingReport): Promise<void> {
    const retry = new Backoff(IDLE_POLL);
    while (this.state !== 'stopped' && this.hostId !== undefined) {
      try {
        for (const [hash, bytes] of outgoing.uploads) await this.client.putBlob(hash, bytes);
        await this.client.report({ hostId: this.hostId, reports: [outgoing.report] });
        if (outgoing.report.status === 'success') this.done += 1;
        else this.failed += 1;
        break;
      } catch (error) {
        this.fail(error);
        // A client error will not pass on a retry: the replica is dropped, its lease lapses.
        if (error instanceof AnygridError && !error.retryable) break;
        await new Promise((r) => setTimeout(r, retry.next()));
      }
    }
    this.unreported.delete(outgoing.replicaId);
    this.changed();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private fail(error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error);
    console.warn('[anygrid volunteer]', error);
    this.changed();
  }

  private changed(): void {
    this.options.onChange();
  }
}

function clientFor(baseUrl: string, token: string): CoordinatorClient {
  return new CoordinatorClient({ baseUrl, token, transport: new FetchJson(baseUrl) });
}

/** The few logger calls the agent's heartbeat makes, to the console. */
const consoleLogger = {
  info: (...args: unknown[]) => console.info('[anygrid volunteer]', ...args),
  warn: (...args: unknown[]) => console.warn('[anygrid volunteer]', ...args),
  debug: () => {},
  error: (...args: unknown[]) => console.error('[anygrid volunteer]', ...args),
} as unknown as HeartbeatOptions['logger'];
