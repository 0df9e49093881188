/**
 * @module
 * What `anygrid results --follow` and `anygrid submit --wait` print on stderr while their
 * coordinator does not answer.
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
  const resume = `anygrid results ${jobId} --follow --after ${cursor} --url URL`;
  return retryNotice(`resume on another coordinator with: ${resume}`, n, lastSaidMs);
}

/**
 * The same for `submit --wait`, which has no results to resume from: the job runs on
 * whatever becomes of this coordinator, and any other of the grid follows it.
 */
export function waitNotice(
  jobId: number,
  n: RetryNotice,
  lastSaidMs: number | undefined,
): string | undefined {
  const follow = `anygrid status ${jobId} --url URL, or anygrid results ${jobId} --follow --url URL`;
  return retryNotice(
    `the job keeps running; follow it on another coordinator: ${follow}`,
    n,
    lastSaidMs,
  );
}

/**
 * A retry listener that says what `noticeOf` gives (followNotice or waitNotice, told when
 * it last spoke) through `say`: said at the first failure, then every so often.
 */
export function retryReporter(
  noticeOf: (n: RetryNotice, lastSaidMs: number | undefined) => string | undefined,
  say: (line: string) => void,
): (n: RetryNotice) => void {
  let saidAt: number | undefined;
  return (n) => {
    const line = noticeOf(n, saidAt);
    if (line === undefined) return;
    saidAt = n.failingForMs;
    say(line);
  };
}

/** What to say at a retry, `next` being what the person may do instead of waiting. */
function retryNotice(
  next: string,
  n: RetryNotice,
  lastSaidMs: number | undefined,
): string | undefined {
  const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;
  if (n.failingForMs === 0) {
    const message = n.error instanceof Error ? n.error.message : String(n.error);
    // A stream cut mid-read says only "terminated".
    const why = message === 'terminated' ? 'the connection was cut' : message;
    return `lost the coordinator: ${why}\nretrying for up to ${seconds(n.giveUpInMs)}; next: ${next}`;
  }
  if (lastSaidMs !== undefined && n.failingForMs - lastSaidMs < RETRY_NOTE_EVERY_MS)
    return undefined;
  return `still retrying after ${seconds(n.failingForMs)} (giving up in ${seconds(n.giveUpInMs)}); next: ${next}`;
}
