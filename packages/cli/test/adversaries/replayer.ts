/**
 * @module
 * A host that replays reports instead of computing. It cannot see other hosts' reports,
 * so it replays what it has: its own last output, for every new task, and forged reports
 * for replica ids near its own that were never assigned to it. The coordinator must
 * refuse every forged report (NOT_ASSIGNED) and catch the replayed outputs.
 */

import type { Behaviour } from './protocol-provider.js';

export interface Replayer extends Behaviour {
  /** Forged reports sent, one replica each. */
  readonly forged: number;
}

export function replayer(): Replayer {
  let last: string | undefined;
  const own = new Set<number>();
  let forged = 0;
  return {
    name: 'replayer',
    max: 2,
    pullEveryMs: 30,
    catchable: true,
    get forged() {
      return forged;
    },
    answer: (a, correct) => {
      own.add(a.replicaId);
      const out = last === undefined ? `${Number(correct) + 11}\n` : last;
      last = correct;
      return out;
    },
    async extra(p, got) {
      const base = Math.max(...got.map((a) => a.replicaId));
      for (const id of [base + 1, base + 2, base - 3]) {
        if (id <= 0 || own.has(id)) continue;
        forged++;
        await p.report([{ replicaId: id, stdout: '0\n' }]);
      }
    },
  };
}
