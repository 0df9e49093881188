/**
 * @module
 * The host id an agent with a cache directory keeps in `host.json`, so that a restarted
 * agent registers again as the same host (and names the work it still holds).
 */

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';

/** The saved host id, or undefined when there is none (or it is unreadable). */
export async function readHostId(dir: string): Promise<number | undefined> {
  try {
    const saved = JSON.parse(await readFile(join(dir, 'host.json'), 'utf8')) as {
      hostId?: unknown;
    };
    return Number.isSafeInteger(saved.hostId) && (saved.hostId as number) > 0
      ? (saved.hostId as number)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Saves the host id; a failure is logged, never thrown: the agent works on without it. */
export async function saveHostId(dir: string, hostId: number, logger: Logger): Promise<void> {
  try {
    // The provider's own: other users of the machine need not see what it runs.
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(join(dir, 'host.json'), `${JSON.stringify({ hostId })}\n`, { mode: 0o600 });
  } catch (error) {
    logger.warn({ err: error }, 'could not save the host id');
  }
}
