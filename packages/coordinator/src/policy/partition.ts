/**
 * @module
 * How coordinators sharing one store split the ready replicas between their queues. Each
 * live coordinator (one holding its presence lease, services/membership.ts) owns the
 * replica ids that fall in its slot: id modulo the number of live coordinators. A
 * coordinator queues its own slot first and reads the others' only when its own runs dry,
 * so that N coordinators no longer each read every ready row and then race for the same
 * replicas: with three coordinators and one queue holding a whole job, two thirds of that
 * queue's picks were already taken elsewhere, and each stale round cost a store
 * transaction. The store's guarded assignment stays the truth: an id in the wrong slot
 * after a coordinator joined or died is only sent later, never twice.
 */

/** One coordinator's share: slot `slot` of `count`. */
export interface Partition {
  readonly slot: number;
  readonly count: number;
}

/** A coordinator alone, or one that does not know the others yet: every replica is its own. */
export const WHOLE: Partition = { slot: 0, count: 1 };

/** The lease name prefix of coordinators' presence (the `leases` table). */
export const PRESENCE_PREFIX = 'coordinator:';

/**
 * This coordinator's slot among the live holders (itself included, whether listed or
 * not): their ids sorted, so that every coordinator reading the same list agrees.
 */
export function partitionOf(self: string, live: readonly string[]): Partition {
  const holders = [...new Set([...live, self])].sort();
  return { slot: holders.indexOf(self), count: holders.length };
}

/** Whether the replica falls in this coordinator's slot. */
export function owns(partition: Partition, replicaId: number): boolean {
  return partition.count <= 1 || replicaId % partition.count === partition.slot;
}

export function samePartition(a: Partition, b: Partition): boolean {
  return a.slot === b.slot && a.count === b.count;
}
