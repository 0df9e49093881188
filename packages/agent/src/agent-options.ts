/**
 * @module
 * What `startAgent` may be told: where the coordinator is, the token, slots, cache, trust
 * in publishers, work buffer, checkpoints, native code, region and benchmark. Every field
 * but the coordinator and the token has a default.
 */

import type { AsksInput } from '@anygrid/protocol';
import type { Logger } from 'pino';
import type { BufferSeconds } from './pull-policy.js';

export interface AgentOptions {
  /**
   * Coordinator base URL, e.g. http://127.0.0.1:7070; or several coordinators sharing one
   * store, tried in turn when the current one stops answering (docs/scale-out.md).
   */
  coordinator: string | readonly string[];
  /**
   * Told at each failed try of the first registration (the coordinator is not up, or out
   * of reach): which coordinator, why, and when the next try is.
   */
  onWaiting?: (coordinator: string, reason: string, retryInMs: number) => void;
  /** Told when the agent moves to the next of several coordinators (the current one stopped answering). */
  onMove?: (from: string, to: string) => void;
  /** Provider token. */
  token: string;
  /** Tasks run at once; default `os.availableParallelism()`. */
  slots?: number;
  /** Host name shown to the coordinator; default `os.hostname()`. */
  name?: string;
  /**
   * Directory for cached modules and inputs by hash, this host's id, and the results and
   * assignments kept for offline work (`offline/`); memory cache always.
   */
  cacheDir?: string;
  /** Structured logger; default pino to stderr at level `ANYGRID_LOG_LEVEL` (info). */
  logger?: Logger;
  /** Test hook: a saboteur that corrupts outputs (used by an acceptance test that needs a provider returning wrong answers). */
  corruptOutputs?: boolean;
  /**
   * Assignments held beyond the slots, so a freed slot starts at once. Default: adapts to
   * task durations, about a second of work per slot (between min(slots, 8) and 1000).
   */
  buffer?: number;
  /**
   * Work buffer in estimated seconds per slot: refill towards `min`, and let the
   * coordinator send up to `max` (it bounds the host's replicas in flight by it).
   * Default `DEFAULT_BUFFER_SECONDS` (1 and 2).
   */
  bufferSeconds?: BufferSeconds;
  /** Bound of the blobs kept in `cacheDir`, least recently used deleted first; default 2 GiB. */
  cacheDirBytes?: number;
  /** Bytes of modules and inputs kept in memory; default 512 MiB or an eighth of RAM, whichever is less. */
  memoryCacheBytes?: number;
  /** Public keys (`ed25519:…`) whose module signatures this agent trusts for any publisher. */
  trustedKeys?: readonly string[];
  /** Run only modules signed by a trusted or pinned key; default false (unsigned modules run). */
  requireSigned?: boolean;
  /** Pin a publisher to the first key seen signing for it and refuse other keys later; default true. */
  pinOnFirstUse?: boolean;
  /** File of publisher pins; default `publisher-pins.json` in `cacheDir`, else pins live in memory. */
  pinFile?: string;
  /**
   * Least time between two checkpoints of a running task sent to the coordinator
   * (docs/checkpoints.md), in milliseconds; default 10 s; 0: checkpoints are not sent.
   */
  checkpointIntervalMs?: number;
  /** Largest checkpoint state sent, in bytes; default and most `MAX_CHECKPOINT_BYTES` (64 MiB). */
  checkpointMaxBytes?: number;
  /** The region this host declares, like `eu-west` (lower case, digits, dashes); default none. */
  region?: string;
  /**
   * What this host asks per unit, in micro-credits (protocol pricing.ts,
   * docs/incentives.md); absent: zero, a volunteer, run by free and paid jobs alike.
   */
  asks?: AsksInput;
  /**
   * Run the standard WASM benchmark at start and report its speed; default true. Off,
   * the host reports no speed (placement then treats it as of unknown speed).
   */
  benchmark?: boolean;
  /** How often the benchmark runs again while no task runs, in ms; 0: only at start; default hourly. */
  benchmarkIntervalMs?: number;
  /**
   * Run native variants (docs/variants.md) under bubblewrap, if it works here: checked
   * at start; when it does not, the agent says why (`Agent.native`) and runs wasm only.
   * Default false.
   */
  allowNative?: boolean;
}
