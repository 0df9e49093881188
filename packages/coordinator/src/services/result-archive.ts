/**
 * @module
 * Writes a job's results to `DIR/job-<id>.jsonl` before the janitor purges it: the first
 * line `{"job": JobView}`, then one `{"result": TaskResult}` per settled task in result
 * order (inline outputs included; outputs held as blobs by hash and size only, since the
 * purge deletes those blobs). The file is written under a temporary name, fsynced, renamed
 * into place and its folder fsynced, so once the purge begins the archive is on disk
 * whole; a crash before that leaves at most a temporary file, written again next time.
 */

import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Principal, Store } from '../store/store.js';

/** Results read per page while archiving. */
const PAGE = 1000;

/** The janitor reads jobs as an admin would. */
const JANITOR: Principal = { accountId: 0, account: 'janitor', role: 'admin' };

/** Archives one job; returns the file's path and how many results it holds. */
export async function archiveResults(
  store: Store,
  dir: string,
  jobId: number,
): Promise<{ path: string; results: number }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `job-${jobId}.jsonl`);
  const tmp = `${path}.tmp`;
  const job = await store.getJob(jobId, JANITOR);
  const file = await open(tmp, 'w', 0o600);
  let results = 0;
  try {
    await file.write(`${JSON.stringify({ job })}\n`);
    for (let after = 0; ; ) {
      const page = await store.listEncodedResults(jobId, after, PAGE);
      if (page.length === 0) break;
      await file.write(page.map((r) => `{"result":${r.json}}\n`).join(''));
      results += page.length;
      after = (page.at(-1) as { cursor: number }).cursor;
    }
    await file.sync();
  } catch (err) {
    await file.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await file.close();
  await rename(tmp, path);
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
  return { path, results };
}
