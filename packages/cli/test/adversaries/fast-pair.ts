/**
 * @module
 * A colluding pair of two accounts that pulls far faster and more than honest hosts (a
 * hundred replicas every few milliseconds), to hold both replicas of as many tasks as
 * it can, and answers them all with one wrong output.
 */

import type { Behaviour } from './protocol-provider.js';

export const fastColluder: Behaviour = {
  name: 'fast-colluding-pair',
  max: 100,
  pullEveryMs: 5,
  catchable: true,
  answer: (_a, correct) => `${Number(correct) + 9}\n`,
};
