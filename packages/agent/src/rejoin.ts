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

/** What a rejoin needs from the agent. */
export interface RejoinHooks {
  /** The replica ids the host holds now. */
  readonly held: () => number[];
  /** Registers again naming `holding`. */
  readonly rejoin: (holding: number[], signal: AbortSignal) => Promise<unknown>;
  /**
   * Stops pulling and waits for a pull under way: a replica a pull brings while the
   * registration is on its way would be handed back though the agent runs it.
   */
  readonly pause?: () => Promise<void>;
  readonly resume?: () => void;
}

/**
 * The function to call on each move: it registers again naming what the host holds,
 * pulling paused meanwhile, unless the host holds more than a registration can name (then
 * the leases of lost replicas run out at their deadlines, as before).
 */
export function rejoiner(log: Logger, signal: AbortSignal, hooks: RejoinHooks): () => void {
  let running = false;
  let again = false;
  const run = async () => {
    running = true;
    try {
      do {
        again = false;
        await hooks.pause?.();
        try {
          const holding = hooks.held();
          if (holding.length > MAX_HOLDING) {
            log.warn({ held: holding.length }, 'holding too many replicas to rejoin after moving');
            return;
          }
          await hooks.rejoin(holding, signal);
          log.info({ holding: holding.length }, 'rejoined after moving to another coordinator');
        } finally {
          hooks.resume?.();
        }
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
