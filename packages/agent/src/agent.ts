/**
 * @module
 * The provider agent put together: register this device, then pull, run and report
 * until stopped. `startAgent` wires the pieces — coordinator client, blob cache, sandbox,
 * work loop, report flusher, work stream, heartbeat — and `stop` takes them down in the
 * order that loses nothing: stop pulling, let running tasks finish for a while, hand
 * back the rest, deliver every report, close the sandbox.
 *
 * With a cache directory the agent also works offline: finished results and the work it
 * holds are kept on disk (`offline/` in it: `saved-work.ts`), so
 * a coordinator that is away, or a restart of the agent, loses nothing. An agent that
 * starts with saved work and a saved host id does not wait for the coordinator: it runs
 * that work at once and registers in the background, naming what it holds.
 */

import { totalmem } from 'node:os';
import { join } from 'node:path';
import {
  Asks,
  type Assignment,
  isPublicKeyText,
  MAX_CHECKPOINT_BYTES,
  Region,
  type RegisterHostResponse,
} from '@anygrid/protocol';
import { NodeSandbox } from '@anygrid/runtime/node';
import { pino } from 'pino';
import { within } from './abortable.js';
import type { AgentOptions } from './agent-options.js';
import { BlobCache } from './blob-cache.js';
import { BlobInventory } from './blob-inventory.js';
import { CheckpointUploader } from './checkpoint-uploader.js';
import { CompiledModules } from './compiled-modules.js';
import { abandon, register } from './coordinator-calls.js';
import { CoordinatorClient } from './coordinator-client.js';
import { CoordinatorUrls } from './coordinator-urls.js';
import { FailoverJson } from './failover-json.js';
import { Heartbeat } from './heartbeat.js';
import { DEFAULT_BENCHMARK_INTERVAL_MS, HostCapabilities } from './host-capabilities.js';
import { readHostId, saveHostId } from './host-id-file.js';
import { defaultSlots, hostInfo } from './host-info.js';
import { JsonHttp } from './json-http.js';
import { ModuleGate } from './module-gate.js';
import { openNativeRunner } from './native-runner.js';
import type { OutgoingReport } from './output-encoding.js';
import { PublisherPins } from './publisher-pins.js';
import { rejoiner } from './rejoin.js';
import { ReportFlusher } from './report-flusher.js';
import { holdingOf, OFFLINE_DIR, openSaved, prefetch, resume } from './saved-work.js';
import { runAssignment, type TaskSandbox } from './task-runner.js';
import { isTransient } from './transient-error.js';
import { warmUp } from './warm-up.js';
import { WorkLoop } from './work-loop.js';
import { WorkStream } from './work-stream.js';

/** How often a running task's checkpoint is sent unless configured. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 10_000;

/** A running provider agent. */
export interface Agent {
  /** The host id the coordinator gave this device. */
  readonly hostId: number;
  /** The coordinator it works with now: the first of several that answers, until it stops. */
  readonly coordinator: string;
  /**
   * Resolves when the coordinator no longer knows this host (its store was reset or
   * restored from a backup): this agent then pulls no more. Stop it and start a new one,
   * which registers again.
   */
  readonly hostLost: Promise<void>;
  /**
   * Whether native variants run here: `enabled`, or why not (`reason`: not asked for with
   * `allowNative`, or bubblewrap missing or not working).
   */
  readonly native: { readonly enabled: boolean; readonly reason?: string };
  /** Replicas reported as successes and as errors, and those running now. */
  stats(): { completed: number; failed: number; running: number };
  /**
   * Stops the agent. Graceful: stop pulling, wait up to `timeoutMs` (default 30 s) for
   * running tasks, hand back the rest, deliver reports (up to as long again). Not
   * graceful: abort running tasks at once, hand them back, send reports briefly.
   */
  stop(options?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
}

/** Registers this device with the coordinator and starts working; resolves once registered. */
export type { AgentOptions } from './agent-options.js';

export async function startAgent(options: AgentOptions): Promise<Agent> {
  const logger =
    options.logger ??
    pino(
      { name: 'anygrid-agent', level: process.env.ANYGRID_LOG_LEVEL ?? 'info' },
      pino.destination(2),
    );
  const slots = options.slots ?? defaultSlots();
  const urls = new CoordinatorUrls(
    typeof options.coordinator === 'string' ? [options.coordinator] : options.coordinator,
    (from, to) => {
      logger.warn({ from, to }, 'moving to another coordinator');
      options.onMove?.(from, to);
      moved();
    },
  );
  // Set once the host works: what a move to another coordinator does (rejoin there).
  let moved: () => void = () => {};
  const client = new CoordinatorClient({
    baseUrl: urls.current,
    token: options.token,
    // One coordinator: its transport as is; several: each request to the current one.
    ...(urls.all.length > 1
      ? { urls, transport: new FailoverJson(urls, (url) => new JsonHttp(url)) }
      : { transport: new JsonHttp(urls.current) }),
  });
  const stopping = new AbortController();

  if (!Number.isInteger(slots) || slots < 1 || slots > 1024) {
    throw new RangeError(`slots must be a whole number from 1 to 1024, not ${slots}.`);
  }
  const checkpointMs = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
  if (!Number.isFinite(checkpointMs) || checkpointMs < 0) {
    throw new RangeError(
      `checkpoint interval must be 0 or more milliseconds, not ${checkpointMs}.`,
    );
  }
  const checkpointBytes = options.checkpointMaxBytes ?? MAX_CHECKPOINT_BYTES;
  if (
    !Number.isInteger(checkpointBytes) ||
    checkpointBytes < 1 ||
    checkpointBytes > MAX_CHECKPOINT_BYTES
  ) {
    throw new RangeError(
      `checkpoint size bound must be a whole number of bytes from 1 to ${MAX_CHECKPOINT_BYTES}, not ${checkpointBytes}.`,
    );
  }
  if (options.region !== undefined && !Region.safeParse(options.region).success) {
    throw new RangeError(
      `region ${JSON.stringify(options.region)} is not lower-case letters, digits and dashes (at most 40), like eu-west.`,
    );
  }
  const benchmarkMs = options.benchmarkIntervalMs ?? DEFAULT_BENCHMARK_INTERVAL_MS;
  if (!Number.isFinite(benchmarkMs) || benchmarkMs < 0) {
    throw new RangeError(`benchmark interval must be 0 or more milliseconds, not ${benchmarkMs}.`);
  }
  const badKey = options.trustedKeys?.find((key) => !isPublicKeyText(key));
  if (badKey !== undefined) {
    throw new RangeError(
      `trusted key ${JSON.stringify(badKey)} is not ed25519:<43 base64url characters>.`,
    );
  }
  const sandbox: TaskSandbox = new NodeSandbox({ maxWorkers: slots });
  let running = () => 0;
  const capabilities = new HostCapabilities({
    sandbox,
    ...(options.cacheDir === undefined ? {} : { dir: options.cacheDir }),
    benchmark: options.benchmark ?? true,
    benchmarkIntervalMs: benchmarkMs,
    idle: () => running() === 0,
    logger,
  });
  // Measured while the rest starts; registration waits for it only so long.
  const measured = capabilities.measure();
  const pins = await PublisherPins.load(
    options.pinFile ?? (options.cacheDir ? join(options.cacheDir, PIN_FILE) : undefined),
  );
  const previousId = options.cacheDir ? await readHostId(options.cacheDir) : undefined;
  // Checked before registering: the host registers the native runtime only if it works.
  const probe = options.allowNative ? await openNativeRunner({ slots }) : undefined;
  const nativeRunner = probe?.ok ? probe.runner : undefined;
  const native =
    probe === undefined
      ? { enabled: false, reason: 'not allowed (start with --allow-native)' }
      : probe.ok
        ? { enabled: true }
        : { enabled: false, reason: probe.reason };
  if (probe !== undefined && !probe.ok) {
    logger.warn({ reason: probe.reason }, 'native variants off: running wasm only');
  }
  const blobs = new BlobCache({
    client,
    logger,
    memoryBytes: options.memoryCacheBytes ?? defaultMemoryCacheBytes(),
    dir: options.cacheDir ? join(options.cacheDir, 'blobs') : undefined,
    dirBytes: options.cacheDirBytes,
  });
  // The large blobs an earlier run left in the cache directory go with the registration.
  await blobs.open();
  const inventory = new BlobInventory(blobs);
  const saved = options.cacheDir
    ? await openSaved(join(options.cacheDir, OFFLINE_DIR), logger, () => persisted)
    : undefined;
  let persisted: (reports: OutgoingReport[]) => void = () => {};
  const holding = () => (saved ? holdingOf(saved) : undefined);
  const describe = (hostId?: number, still = holding()) => {
    const info = {
      ...hostInfo({
        slots,
        name: options.name,
        hostId,
        holding: still,
        native: nativeRunner !== undefined,
      }),
      ...capabilities.declared(),
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.asks === undefined ? {} : { asks: Asks.parse(options.asks) }),
    };
    const held = inventory.whole(Date.now());
    return held.length > 0 ? { ...info, blobs: held } : info;
  };
  // What is not measured by then follows in a heartbeat; saved work does not wait for it.
  const joining = within(measured, CAPABILITIES_WAIT_MS)
    .then(() =>
      register(client, () => describe(previousId), logger, stopping.signal, options.onWaiting),
    )
    .catch((error: unknown) => {
      // A saved id from another coordinator or account must not keep the device out.
      if (previousId === undefined || isTransient(error)) throw error;
      logger.warn({ err: error, previousId }, 'saved host id refused; registering as a new host');
      return register(client, () => describe(), logger, stopping.signal, options.onWaiting);
    });
  // Saved work runs at once: the coordinator may be away for long.
  const offline = previousId !== undefined && (holding()?.length ?? 0) > 0;
  let registration: RegisterHostResponse | undefined;
  try {
    if (!offline || (await within(joining, FIRST_REGISTER_WAIT_MS))) registration = await joining;
  } catch (error) {
    // Not joined: the sandbox started for the benchmark goes too.
    capabilities.stop();
    await sandbox.close();
    throw error;
  }
  const hostId = registration?.hostId ?? (previousId as number);
  client.hostId = hostId;
  client.inventory = inventory;
  if (registration && options.cacheDir) await saveHostId(options.cacheDir, hostId, logger);
  const log = logger.child({ hostId });
  if (registration) {
    log.info({ slots, heartbeatMs: registration.heartbeatMs }, 'registered with the coordinator');
  } else {
    log.warn(
      { slots, saved: holding()?.length },
      'coordinator unreachable; running saved work and registering in the background',
    );
  }

  // Not awaited: closing the sandbox ends a warm-up still going.
  void warmUp(sandbox, slots, log);
  const modules = new CompiledModules((bytes, cap) => sandbox.compile(bytes, cap));
  const flusher = new ReportFlusher({
    client,
    hostId,
    logger: log,
    busy: () => loop.busy,
    persisted: saved !== undefined,
    onSettled: (ids) => saved?.results.settle(ids),
  });
  persisted = (reports) => {
    saved?.held.release(reports.map((r) => r.replicaId));
    for (const report of reports) flusher.add(report);
  };
  const gate = new ModuleGate(
    {
      trustedKeys: new Set(options.trustedKeys ?? []),
      requireSigned: options.requireSigned ?? false,
      pinOnFirstUse: options.pinOnFirstUse ?? true,
    },
    pins,
    log,
  );
  const checkpoints =
    checkpointMs === 0
      ? undefined
      : new CheckpointUploader({
          client,
          hostId,
          logger: log,
          spec: { intervalMs: checkpointMs, maxBytes: checkpointBytes },
        });
  const runner = {
    blobs,
    modules,
    sandbox,
    logger: log,
    corruptOutputs: options.corruptOutputs,
    gate,
    checkpoints,
    ...(nativeRunner === undefined ? {} : { native: nativeRunner }),
  };
  let stream: WorkStream | undefined;
  let lostHost: () => void = () => {};
  const hostLost = new Promise<void>((resolve) => {
    lostHost = resolve;
  });
  const handBack = (ids: number[]) => {
    saved?.held.release(ids);
    void abandon(client, hostId, ids, log);
  };
  const cancel = (ids: number[]) => {
    loop.cancel(ids);
    saved?.held.release(ids);
  };
  const loop = new WorkLoop({
    client,
    hostId,
    slots,
    ...(options.buffer === undefined ? {} : { buffer: options.buffer }),
    ...(options.bufferSeconds === undefined ? {} : { bufferSeconds: options.bufferSeconds }),
    logger: log,
    // No agent-wide signal here: `drain` aborts every run still going when the agent stops.
    run: (assignment, options, done) => runAssignment(assignment, runner, options, done),
    onReport: (report) => (saved ? saved.results.add(report) : flusher.add(report)),
    // The coordinator lets a host retake a task it handed back, so surplus can go back
    // without stranding work in a cluster of one host.
    onHandBack: handBack,
    onExpired: handBack,
    streaming: () => stream?.connected ?? false,
    onHostUnknown: () => lostHost(),
    pullingPaused: registration === undefined,
    ...(saved && {
      onAccepted: (assignments: readonly Assignment[]) => {
        saved.held.add(assignments);
        prefetch(blobs, assignments);
      },
      onReleased: (ids: number[]) => saved.held.release(ids),
    }),
  });
  // Everything held, finished results on their way to disk included: a replica the
  // heartbeat leaves out is taken by the coordinator as lost and given to another host.
  const heldNow = () => [
    ...new Set([...loop.heldIds(), ...flusher.pendingIds(), ...(saved?.results.heldIds() ?? [])]),
  ];
  moved = rejoiner(log, stopping.signal, {
    held: heldNow,
    rejoin: (holding, signal) => register(client, () => describe(hostId, holding), log, signal),
    pause: () => loop.pausePulling(),
    resume: () => loop.resumePulling(),
  });
  let heartbeat: Heartbeat | undefined;
  const beat = (heartbeatMs: number) => {
    heartbeat = new Heartbeat({
      client,
      hostId,
      intervalMs: heartbeatMs,
      logger: log,
      held: heldNow,
      onCancel: cancel,
      onExtended: (extended) => {
        loop.extendDeadlines(extended);
        saved?.held.extend(extended);
      },
      onRecovered: () => {
        stream?.reconnectNow();
        loop.trigger();
        void flusher.flush(0);
      },
      update: () => capabilities.pending(),
      onUpdated: (update) => capabilities.confirm(update),
    });
  };
  running = () => loop.stats().running;
  capabilities.refresh();
  if (registration) beat(registration.heartbeatMs);
  else {
    joining.then(
      (late) => {
        if (stopping.signal.aborted) return;
        if (late.hostId !== hostId) {
          // The saved work belongs to a host the coordinator no longer knows: its reports
          // would be refused. Start over as the new host.
          log.warn({ newHostId: late.hostId }, 'registered as another host; dropping saved work');
          saved?.results.settle(saved.results.ids());
          saved?.held.release(saved.held.ids());
          if (options.cacheDir) void saveHostId(options.cacheDir, late.hostId, log);
          lostHost();
          return;
        }
        log.info({ heartbeatMs: late.heartbeatMs }, 'registered with the coordinator');
        beat(late.heartbeatMs);
        loop.resumePulling();
        flusher.retryNow();
      },
      (error: unknown) => {
        if (stopping.signal.aborted) return;
        log.error({ err: error }, 'could not register with the coordinator');
        lostHost();
      },
    );
  }
  stream = new WorkStream({
    baseUrl: () => client.baseUrl,
    onUnreachable: (url) => void urls.failed(url),
    hostId,
    authorization: client.authorization,
    logger: log,
    onOpen: () => {
      loop.trigger();
      // The coordinator is back: reports waiting out a backoff need not wait longer.
      flusher.retryNow();
    },
    onMessage: (message) => {
      if (message.type === 'work') loop.trigger();
      else {
        log.info({ replicaIds: message.replicaIds }, 'coordinator cancelled replicas');
        cancel(message.replicaIds);
      }
    },
  });
  if (saved) resume(saved, loop, flusher, log);
  loop.trigger();

  let stopped: Promise<void> | undefined;
  const stop = async (graceful: boolean, timeoutMs: number) => {
    log.info({ graceful, timeoutMs }, 'stopping');
    stream?.close();
    const unfinished = await loop.drain(graceful ? timeoutMs : 0);
    heartbeat?.stop();
    capabilities.stop();
    checkpoints?.close();
    // Work the coordinator did not take back stays saved: the next start runs it.
    if (await abandon(client, hostId, unfinished, log)) saved?.held.release(unfinished);
    stopping.abort();
    await saved?.results.idle();
    const delivered = await flusher.flush(graceful ? timeoutMs : 2000);
    await flusher.close();
    await saved?.held.idle();
    blobs.close();
    client.close();
    await sandbox.close();
    await nativeRunner?.close();
    log.info({ ...loop.stats(), reportsDelivered: delivered }, 'stopped');
  };

  return {
    hostId,
    get coordinator() {
      return urls.current;
    },
    hostLost,
    native,
    stats: () => loop.stats(),
    stop(stopOptions = {}) {
      stopped ??= stop(stopOptions.graceful ?? true, stopOptions.timeoutMs ?? 30_000);
      return stopped;
    },
  };
}

/** Name of the publisher pin file in the agent's cache directory. */
const PIN_FILE = 'publisher-pins.json';

/**
 * How long registration waits for the start-up measurements (the benchmark takes about
 * 0.3 s here, seconds on a slow device): a start stays quick, and a figure measured later
 * goes in the first heartbeat after it.
 */
const CAPABILITIES_WAIT_MS = 2000;

/** How long an agent with saved work waits for the coordinator before running it anyway. */
const FIRST_REGISTER_WAIT_MS = 2000;

/** A cache that fits a Raspberry Pi as well as a server. */
function defaultMemoryCacheBytes(): number {
  return Math.min(512 * 1024 * 1024, Math.floor(totalmem() / 8));
}
