/** @module A host wrong on one answer in ten (faulty hardware, or a careful cheat). */

import type { Behaviour } from './protocol-provider.js';

export const sometimesWrong: Behaviour = {
  name: 'wrong-10%',
  max: 4,
  pullEveryMs: 30,
  catchable: true,
  answer: (_a, correct, answered) => (answered % 10 === 3 ? `${Number(correct) + 3}\n` : correct),
};
