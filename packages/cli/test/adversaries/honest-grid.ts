/**
 * @module
 * The honest side of an adversarial run: a fresh coordinator, a requester, and
 * `honest` real agents of an account each (honest-pool.js), started before a file's
 * tests and stopped after them.
 */

import { createInterface } from 'node:readline';
import { afterAll, beforeAll } from 'vitest';
import { client, killAll, REPO, removeDir, spawnNode, startCoordinator } from '../harness.js';

type Client = ReturnType<typeof client>;

/** What `runCell` needs of the honest grid; filled in before the file's first test. */
export interface HonestGrid {
  url: string;
  dataDir: string;
  admin: Client;
  requester: Client;
}

/** Starts the honest grid before the file's tests, with its agents joined, and stops it after. */
export function useHonestGrid(honest: number): HonestGrid {
  const grid = {} as HonestGrid;
  beforeAll(async () => {
    const coord = await startCoordinator();
    const admin = client(coord.url, coord.adminToken);
    const tokens = await Promise.all(
      Array.from({ length: honest }, (_, i) => admin.token('provider', `honest-${i}`)),
    );
    Object.assign(grid, {
      url: coord.url,
      dataDir: coord.dataDir,
      admin,
      requester: client(coord.url, await admin.token('requester')),
    });
    const pool = spawnNode([
      `${REPO}/packages/cli/test/adversaries/honest-pool.js`,
      coord.url,
      '1',
      ...tokens,
    ]);
    await new Promise<void>((resolve, reject) => {
      const rl = createInterface({ input: pool.proc.stdout as NodeJS.ReadableStream });
      rl.on('line', (l) => l.startsWith('{') && resolve());
      pool.proc.once('exit', () => reject(new Error(`honest pool exited:\n${pool.output()}`)));
    });
  });
  afterAll(async () => {
    await killAll();
    if (grid.dataDir) removeDir(grid.dataDir);
  });
  return grid;
}
