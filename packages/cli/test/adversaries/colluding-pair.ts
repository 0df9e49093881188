/**
 * @module
 * Two hosts (of two accounts) that agree on one wrong output for every task, so that
 * whenever they hold both replicas of a task their answers form a quorum.
 */

import type { Behaviour } from './protocol-provider.js';

export const colluder: Behaviour = {
  name: 'colluding-pair',
  max: 4,
  pullEveryMs: 30,
  catchable: true,
  answer: (_a, correct) => `${Number(correct) + 7}\n`,
};
