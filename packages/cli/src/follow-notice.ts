/**
 * @module
 * What `anygrid results --follow` prints on stderr while its coordinator does not answer.
 */

import type { RetryNotice } from '@anygrid/sdk';

/** How often a follower that keeps failing says so again. */
const RETRY_NOTE_EVERY_MS = 30_000;

/**
 * What a follower says while its coordinator does not answer: at the first failure of an
 * outage, what failed and how to go on from another coordinator without getting a result
 * twice; then, every `RETRY_NOTE_EVERY_MS`, that it is still retrying. Undefined: nothing
 * to say this time.
 */
export function followNotice(
  jobId: number,
  cursor: number,
  n: RetryNotice,
  lastSaidMs: number | undefined,
): string | undefined {
  const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;
  if (n.failingForMs === 0) {
    const message = n.error instanceof Error ? n.error.message : String(n.error);
    // A stream cut mid-read says only "terminated".
    const why = message === 'terminated' ? 'the connection was cut' : message;
    return (
      `lost the coordinator: ${why}\n` +
      `retrying for up to ${seconds(n.giveUpInMs)}; next: resume on another coordinator with: ` +
      `anygrid results ${jobId} --follow --after ${cursor} --url URL`
    );
  }
  if (lastSaidMs !== undefined && n.failingForMs - lastSaidMs < RETRY_NOTE_EVERY_MS)
    return undefined;
  return `still retrying after ${seconds(n.failingForMs)} (giving up in ${seconds(n.giveUpInMs)}); resume elsewhere with --after ${cursor}`;
}
