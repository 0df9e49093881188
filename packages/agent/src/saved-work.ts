/**
 * @module
 * The work an agent keeps on disk for offline work, under `offline/` in its cache
 * directory: finished results not yet acknowledged (`result-store.ts`) and the
 * assignments it holds (`held-assignments.ts`). Opening them reads back what a previous
 * run of the agent left; `resume` hands that to the report flusher and the work loop,
 * and `holdingOf` names it when the agent registers again.
 */

import { mkdir } from 'node:fs/promises';
import type { Assignment, BlobRef } from '@anygrid/protocol';
import type { Logger } from 'pino';
import type { BlobCache } from './blob-cache.js';
import { HeldAssignments } from './held-assignments.js';
import type { OutgoingReport } from './output-encoding.js';
import type { ReportFlusher } from './report-flusher.js';
import { ResultStore } from './result-store.js';
import type { WorkLoop } from './work-loop.js';

/** Subdirectory of the cache directory for results and assignments kept for offline work. */
export const OFFLINE_DIR = 'offline';

/** Most replica ids a registration may name as held (the protocol's bound). */
const MAX_HOLDING = 10_000;

/** What the agent keeps on disk for offline work. */
export interface Saved {
  readonly results: ResultStore;
  readonly held: HeldAssignments;
  readonly recoveredResults: OutgoingReport[];
  readonly recoveredAssignments: Assignment[];
}

/** Opens the offline stores; `onPersisted` is read when a result is written, once wired. */
export async function openSaved(
  dir: string,
  logger: Logger,
  onPersisted: () => (reports: OutgoingReport[]) => void,
): Promise<Saved> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { store: results, recovered: recoveredResults } = await ResultStore.open({
    dir,
    logger,
    onPersisted: (reports) => onPersisted()(reports),
  });
  const { held, recovered } = await HeldAssignments.open(dir, logger);
  // A result on disk supersedes its assignment: the run ended before the assignment's
  // file was let go.
  const done = new Set(results.ids());
  held.release(recovered.filter((a) => done.has(a.replicaId)).map((a) => a.replicaId));
  const recoveredAssignments = recovered.filter((a) => !done.has(a.replicaId));
  return { results, held, recoveredResults, recoveredAssignments };
}

/** Queues saved results for sending and buffers saved work, ahead of anything new. */
export function resume(saved: Saved, loop: WorkLoop, flusher: ReportFlusher, log: Logger): void {
  const { recoveredResults, recoveredAssignments } = saved;
  if (recoveredResults.length === 0 && recoveredAssignments.length === 0) return;
  log.info(
    { results: recoveredResults.length, assignments: recoveredAssignments.length },
    'resuming work saved by a previous run',
  );
  for (const report of recoveredResults) flusher.add(report);
  loop.restore(recoveredAssignments);
}

/**
 * Starts fetching the modules and inputs of new work not in memory, so that it can run
 * if the coordinator becomes unreachable; a failure here is the run's to report.
 */
export function prefetch(blobs: BlobCache, assignments: readonly Assignment[]): void {
  const wanted = new Map<string, BlobRef>();
  for (const a of assignments) {
    // A native assignment runs its variant's executable, not the job's wasm module.
    const program = a.variant?.module ?? a.module;
    wanted.set(program.hash, program);
    if (a.stdin) wanted.set(a.stdin.hash, a.stdin);
    for (const name in a.files) {
      const ref = a.files[name] as BlobRef;
      wanted.set(ref.hash, ref);
    }
  }
  for (const ref of wanted.values()) {
    if (blobs.peek(ref) === undefined) blobs.get(ref).catch(() => {});
  }
}

/** Replica ids held on disk (results not acknowledged, assignments held), as registration names them. */
export function holdingOf(saved: Saved): number[] {
  return [...new Set([...saved.results.ids(), ...saved.held.ids()])].slice(0, MAX_HOLDING);
}
