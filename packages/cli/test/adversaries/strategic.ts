/**
 * @module
 * A host honest for its first results, long enough to be trusted, and wrong on every
 * answer after that: the saboteur that defeats rules which stop checking a host once it
 * has a record.
 */

import type { Behaviour } from './protocol-provider.js';

/** A strategic host honest for its first `honestFor` answers. */
export function strategic(honestFor: number): Behaviour {
  return {
    name: `strategic(${honestFor})`,
    max: 2,
    pullEveryMs: 30,
    catchable: true,
    answer: (_a, correct, answered) =>
      answered < honestFor ? correct : `${Number(correct) + 5}\n`,
  };
}
