/**
 * @module
 * The life of a replica (BOINC's "result"): created unsent, sent to one host, then
 * reported, errored, timed out, abandoned or refused; reported ones are later judged
 * valid or invalid against the task's canonical output.
 */

export type ReplicaState =
  | 'unsent'
  | 'in_progress'
  | 'reported'
  | 'errored'
  | 'timed_out'
  | 'abandoned'
  /**
   * The host would not run the module: its bytes or signature did not check out
   * (a failure code in the protocol's `NOT_HOST_FAULT_CODES`). Handed back like an
   * abandoned replica — no error for the task, nothing against the host — except that
   * the host is not sent that task again, since it would refuse again.
   */
  | 'refused';

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

/**
 * Replicas given back without an answer and through no fault of the task: they count
 * neither as failures nor towards the task's `maxTotal`.
 */
export function isHandedBack(state: ReplicaState): boolean {
  return state === 'abandoned' || state === 'refused';
}
