/**
 * @module
 * What the janitor may delete and how much at a time, decided from numbers alone: when a
 * finished job is due for purging, when an unused blob has waited out its grace period,
 * and how many tasks the next purge transaction should take so that it stays within a
 * few milliseconds (the hot path waits behind every write transaction).
 */

/** Finished jobs are kept this long unless configured (`serve --retention`). */
export const DEFAULT_RETENTION_MS = 7 * 24 * 3600_000;

/**
 * An unused blob is kept this long after it was last uploaded unless configured: a
 * requester uploads a job's blobs before creating the job, an agent its outputs before
 * reporting them, and neither is a use the store knows of yet.
 */
export const DEFAULT_BLOB_GRACE_MS = 3600_000;

/** How often the janitor looks for work unless configured. */
export const DEFAULT_JANITOR_INTERVAL_MS = 60_000;

/** What one purge transaction should last at most, in milliseconds. */
export const PURGE_STEP_TARGET_MS = 4;

/**
 * How long the janitor writes before it lets other requests in, in milliseconds: a few
 * transactions back to back. Under load one turn of the event loop can take 100 ms, so a
 * yield after every small step made a 20 k-task purge take ~8 s, slower than tasks came in.
 */
export const JANITOR_TURN_MS = 8;

/** The most a janitor's turn grows to while it is behind (jobs due at once). */
export const JANITOR_TURN_MAX_MS = 40;

/**
 * How long the janitor writes per turn when `due` jobs wait: `JANITOR_TURN_MS` while it
 * keeps up (one job at a time), more when it falls behind, so that purging always
 * outpaces a steady load instead of letting the database grow (measured: at 8 ms a turn
 * on a loaded 2-core machine, purging 2–3 k tasks/s lagged a load of 2.8 k tasks/s).
 */
export function janitorTurnMs(due: number): number {
  return Math.min(JANITOR_TURN_MAX_MS, JANITOR_TURN_MS * Math.max(1, due));
}

/**
 * Free database pages kept for reuse rather than given back: at least this many, or this
 * share of the file. Pages a purge frees are soon filled again by new tasks while the
 * load lasts; only the excess is worth an incremental vacuum (which moves pages).
 */
export const FREE_PAGE_SLACK = { pages: 256, share: 0.125 } as const;

/** Bounds of the tasks one purge transaction deletes. */
export const PURGE_STEP_TASKS = { min: 20, first: 200, max: 20_000 } as const;

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3600_000,
  d: 24 * 3600_000,
  w: 7 * 24 * 3600_000,
};

/**
 * A duration such as `3d`, `12h`, `30m`, `45s` or `500ms` in milliseconds; a bare number
 * is seconds. Null when the text is none of these.
 */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/i.exec(text);
  if (!m) return null;
  const ms = Number(m[1]) * (UNIT_MS[(m[2] ?? 's').toLowerCase()] ?? 1000);
  return Number.isFinite(ms) ? Math.round(ms) : null;
}

/**
 * A retention setting: a duration, or `0` / `off` for never purging (null). Undefined
 * when the text is not one.
 */
export function parseRetention(text: string): number | null | undefined {
  if (/^\s*(off|never|none)\s*$/i.test(text)) return null;
  const ms = parseDuration(text);
  if (ms === null) return undefined;
  return ms === 0 ? null : ms;
}

/** Jobs that finished at or before this instant are due for purging. */
export function purgeCutoff(now: number, retentionMs: number): number {
  return now - retentionMs;
}

/** Whether a blob no live job uses, last uploaded at `writtenAt`, may be deleted now. */
export function blobExpired(writtenAt: number, now: number, graceMs: number): boolean {
  return writtenAt <= now - graceMs;
}

/**
 * How many tasks the next purge transaction should delete, given that `tasks` took
 * `elapsedMs`: scaled towards `targetMs`, at most doubling or halving per step (one slow
 * step, a checkpoint say, must not collapse the batch), within the bounds.
 */
export function nextPurgeBatch(
  tasks: number,
  elapsedMs: number,
  targetMs: number = PURGE_STEP_TARGET_MS,
  bounds: { readonly min: number; readonly max: number } = PURGE_STEP_TASKS,
): number {
  const factor = elapsedMs <= 0 ? 2 : Math.min(2, Math.max(0.5, targetMs / elapsedMs));
  const next = Math.round(Math.max(tasks, bounds.min) * factor);
  return Math.min(bounds.max, Math.max(bounds.min, next));
}

/** How many free pages to give back to the file system: those beyond the slack. */
export function pagesToReclaim(
  freePages: number,
  totalPages: number,
  slack: { readonly pages: number; readonly share: number } = FREE_PAGE_SLACK,
): number {
  const keep = Math.max(slack.pages, Math.floor(totalPages * slack.share));
  return Math.max(0, freePages - keep);
}
