/**
 * @module
 * The life of a replica (BOINC's "result"): created unsent, sent to one host, then
 * reported, errored, timed out or abandoned; reported ones are later judged valid or
 * invalid against the task's canonical output.
 */

export type ReplicaState =
  | 'unsent'
  | 'in_progress'
  | 'reported'
  | 'errored'
  | 'timed_out'
  | 'abandoned';

export type Validation = 'valid' | 'invalid';

/** A task is active until it settles in one of the other states. */
export type TaskState = 'active' | 'valid' | 'failed' | 'no_consensus' | 'cancelled';

/** Replicas that may still produce an answer. */
export function isInFlight(state: ReplicaState): boolean {
  return state === 'unsent' || state === 'in_progress';
}

/** Replicas that count against the task's error budget (BOINC counts timeouts too). */
export function isFailure(state: ReplicaState): boolean {
  return state === 'errored' || state === 'timed_out';
}
