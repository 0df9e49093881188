/**
 * @module
 * Registering again after a move to another coordinator (`provide --coordinator a,b,c`).
 * A pull that the old coordinator answered as it died may have given this host replicas
 * it never received; they would stay leased to the host until their deadline, minutes
 * away, holding their tasks back. Registering again under the host's id and naming every
 * replica it holds hands all the others back at once (the coordinator's rule for a
 * restarted agent). One rejoin at a time; a move during one runs another after it.
 */

import type { Logger } from 'pino';

/** Most replica ids a registration may name (`RegisterHostRequest.holding`). */
export const MAX_HOLDING = 10_000;

/**
 * The function to call on each move: it registers again through `rejoin` with the ids
 * `held` names, unless the host holds more than a registration can name (then the
 * leases of lost replicas run out at their deadlines, as before).
 */
export function rejoiner(
  log: Logger,
  signal: AbortSignal,
  held: () => number[],
  rejoin: (holding: number[], signal: AbortSignal) => Promise<unknown>,
): () => void {
  let running = false;
  let again = false;
  const run = async () => {
    running = true;
    try {
      do {
        again = false;
        const holding = held();
        if (holding.length > MAX_HOLDING) {
          log.warn({ held: holding.length }, 'holding too many replicas to rejoin after moving');
          return;
        }
        await rejoin(holding, signal);
        log.info({ holding: holding.length }, 'rejoined after moving to another coordinator');
      } while (again && !signal.aborted);
    } catch (error) {
      if (!signal.aborted) log.warn({ err: error }, 'could not rejoin after moving');
    } finally {
      running = false;
    }
  };
  return () => {
    if (running) again = true;
    else void run();
  };
}
