/**
 * @module
 * `@anygrid/coordinator/policy`: the pure decisions of the coordinator (defaults,
 * quorum, output comparison), free of I/O so tests, and anything replaying recorded or
 * invented state, can call them without a database, a network or a clock.
 */

export { DEFAULT_DEADLINE_MS, defaultQuorum, resolvePolicy } from './job-policy.js';
export { type OutputSummary, outputDigest } from './output-digest.js';
export { agreeingGroups, decideTask, type ReplicaFacts, type TaskDecision } from './quorum.js';
export { ReadyQueue, type ReadyReplica } from './ready-queue.js';
export {
  isFailure,
  isInFlight,
  type ReplicaState,
  type TaskState,
  type Validation,
} from './replica-state.js';
