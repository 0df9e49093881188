/**
 * The coordinator's data directory is its owner's alone, as the README says: after
 * `anygrid serve` has run a job, the database, its -wal and -shm files, every blob and
 * the token files are mode 600 and the blob folders 700, whatever the umask allowed.
 */

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Anygrid } from '@anygrid/sdk';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, startAgent, useCoordinator, waitFor } from './harness.js';

function mode(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

describe('the data directory of anygrid serve', () => {
  const ctx = useCoordinator();

  it('holds files of mode 600 only, in folders of mode 700, once a job has run', async () => {
    const agent = startAgent(ctx.coord.url, ctx.providerToken, { slots: 1 });
    await waitFor('the agent to join', async () => agent.output().includes('joined'));
    const grid = new Anygrid({ url: ctx.coord.url, token: await ctx.admin.token('requester') });
    const job = await grid.submit({
      module: join(EXAMPLES, 'echo.wasm'),
      tasks: [{ args: [], files: { 'input.txt': new TextEncoder().encode('modes\n') } }],
    });
    expect((await job.wait()).progress.valid).toBe(1);

    const data = ctx.coord.dataDir;
    const files = ['anygrid.db', 'anygrid.db-wal', 'anygrid.db-shm', 'admin.token'];
    expect(Object.fromEntries(files.map((f) => [f, mode(join(data, f))]))).toEqual(
      Object.fromEntries(files.map((f) => [f, '600'])),
    );
    const blobs = join(data, 'blobs');
    const folders = readdirSync(blobs);
    // The module and the input file at least (small outputs travel inline).
    const blobFiles = folders.flatMap((d) =>
      readdirSync(join(blobs, d)).map((f) => join(blobs, d, f)),
    );
    expect(blobFiles.length).toBeGreaterThanOrEqual(2);
    expect(new Set([blobs, ...folders.map((d) => join(blobs, d))].map(mode))).toEqual(
      new Set(['700']),
    );
    expect(new Set(blobFiles.map(mode))).toEqual(new Set(['600']));
  });
});
