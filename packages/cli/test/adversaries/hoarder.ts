/**
 * @module
 * A host that pulls work and never reports it: its replicas time out. It gives no wrong
 * answer to catch; what must hold is that it cannot make a task fail.
 */

import type { Behaviour } from './protocol-provider.js';

export const hoarder: Behaviour = {
  name: 'hoarder',
  max: 50,
  pullEveryMs: 50,
  catchable: false,
  answer: () => null,
};
