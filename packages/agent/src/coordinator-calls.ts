/**
 * @module
 * The two calls an agent makes to the coordinator with a retry policy of their own:
 * registering, which waits out a coordinator that is not up yet, and handing replicas
 * back, which takes out those no longer this host's and sends the rest again.
 */

import { AnygridError, ErrorCode } from '@anygrid/protocol';
import type { Logger } from 'pino';
import { sleep } from './abortable.js';
import { Backoff, RECONNECT_BACKOFF } from './backoff.js';
import type { CoordinatorClient } from './coordinator-client.js';
import type { hostInfo } from './host-info.js';
import { isTransient } from './transient-error.js';

/**
 * Registers, waiting out a coordinator that is not up yet; a refused token throws.
 * `onWaiting` is told of each failed try.
 */
export async function register(
  client: CoordinatorClient,
  body: () => ReturnType<typeof hostInfo>,
  logger: Logger,
  signal: AbortSignal,
  onWaiting?: (coordinator: string, reason: string, retryInMs: number) => void,
) {
  const backoff = new Backoff(RECONNECT_BACKOFF);
  for (;;) {
    try {
      // Built again each try: what the host holds changes while it waits.
      return await client.register(body(), signal);
    } catch (error) {
      if (!isTransient(error)) throw error;
      const delay = backoff.next();
      // The reason in a word, not a stack: this repeats for as long as the coordinator is away.
      const reason = error instanceof Error ? error.message : String(error);
      logger.warn(
        { coordinator: client.baseUrl, reason, delay },
        'coordinator unreachable; retrying registration',
      );
      onWaiting?.(client.baseUrl, reason, delay);
      await sleep(delay, signal);
    }
  }
}

/**
 * Hands replicas back so the coordinator reissues them at once, not at their deadline.
 * The coordinator refuses the whole list when one replica is no longer ours
 * (NOT_ASSIGNED), so those are taken out and the rest sent again. True when the
 * coordinator answered (none of them is this host's any more).
 */
export async function abandon(
  client: CoordinatorClient,
  hostId: number,
  replicaIds: number[],
  logger: Logger,
): Promise<boolean> {
  let ids = [...new Set(replicaIds)];
  for (let attempt = 0; attempt < 3 && ids.length > 0; attempt++) {
    try {
      const { abandoned } = await client.abandon(
        { hostId, replicaIds: ids.slice(0, 10_000) },
        AbortSignal.timeout(5000),
      );
      logger.info({ abandoned, requested: ids.length }, 'handed back unfinished replicas');
      return true;
    } catch (error) {
      const notOurs = notAssignedIds(error);
      if (notOurs.length > 0) {
        ids = ids.filter((id) => !notOurs.includes(id));
        continue;
      }
      logger.warn(
        { err: error, replicaIds: ids },
        'could not hand back replicas; they will time out',
      );
      return false;
    }
  }
  return ids.length === 0;
}

function notAssignedIds(error: unknown): number[] {
  if (!(error instanceof AnygridError) || error.code !== ErrorCode.NOT_ASSIGNED) return [];
  const ids = (error.details as { replicaIds?: unknown } | undefined)?.replicaIds;
  return Array.isArray(ids) ? ids.filter((id): id is number => Number.isInteger(id)) : [];
}
