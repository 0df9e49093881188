/**
 * @module
 * Two hosts registered with one provider account that return one wrong output for every
 * task: an owner voting twice. Both are named by `account`, so the harness gives them one
 * token; whatever rule keeps one account's hosts off one task, validation still catches
 * each of them when it meets an honest host.
 */

import type { Behaviour } from './protocol-provider.js';

export const sameAccountHost: Behaviour = {
  name: 'same-account-pair',
  account: 'owner',
  max: 4,
  pullEveryMs: 30,
  catchable: true,
  answer: (_a, correct) => `${Number(correct) + 13}\n`,
};
