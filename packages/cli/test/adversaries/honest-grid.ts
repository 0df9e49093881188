/**
 * @module
 * The honest side of an adversarial run: a fresh coordinator, a requester, and
 * `honest` real agents of an account each (honest-pool.js), started together and joined
 * before the saboteurs come.
 */

import { createInterface } from 'node:readline';
import { type CoordinatorProcess, client, REPO, spawnNode, startCoordinator } from '../harness.js';

export interface HonestGrid {
  readonly coord: CoordinatorProcess;
  readonly admin: ReturnType<typeof client>;
  readonly requester: ReturnType<typeof client>;
}

export async function startHonestGrid(honest: number): Promise<HonestGrid> {
  const coord = await startCoordinator();
  const admin = client(coord.url, coord.adminToken);
  const requester = client(coord.url, await admin.token('requester'));
  const tokens = await Promise.all(
    Array.from({ length: honest }, (_, i) => admin.token('provider', `honest-${i}`)),
  );
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
  return { coord, admin, requester };
}
