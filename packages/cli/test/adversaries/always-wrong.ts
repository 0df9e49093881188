/** @module A host whose every answer is wrong (a number no honest run prints). */

import type { Behaviour } from './protocol-provider.js';

export const alwaysWrong: Behaviour = {
  name: 'always-wrong',
  max: 4,
  pullEveryMs: 30,
  catchable: true,
  answer: (_a, correct) => `${Number(correct) + 1000}\n`,
};
