/**
 * @module
 * `@anygrid/coordinator/policy`: the pure decisions of the coordinator (defaults,
 * quorum, output comparison, adaptive validation, reputation), free of I/O so tests, the
 * simulator and anything replaying recorded or invented state can call them without a
 * database, a network or a clock; randomness comes in as a `Random`.
 */

export {
  type AdaptiveParams,
  DEFAULT_ADAPTIVE,
  isTrusted,
  mayAcceptAlone,
  mayTake,
  type ReplicaRole,
  recordConfirmed,
  replicationProbability,
  requiredStreak,
  shouldReplicate,
  spotCheckNow,
} from './adaptive-replication.js';
export {
  agreementFacts,
  type KeyedReplica,
  keyWithoutComparing,
  representatives,
} from './agreement.js';
export {
  AVAILABILITY_SLOT_MS,
  AVAILABILITY_SLOTS,
  type AvailabilityRecord,
  availability,
  availabilitySlot,
  markConnected,
} from './availability.js';
export {
  BlobLocality,
  HOLDER_LIVE_MS,
  type HoldingsChange,
  MAX_BLOBS_PER_HOST,
} from './blob-locality.js';
export {
  BOINC_TRUST_AFTER,
  boincIsTrusted,
  boincReplicationProbability,
  boincShouldReplicate,
} from './boinc-replication.js';
export { type ClaimFacts, claimedCredit, quorumGrant, SIZE_SLACK } from './credit-claim.js';
export {
  type DailyQuotaParams,
  DEFAULT_DAILY_QUOTA,
  nextQuota,
  quotaLeft,
  utcDay,
} from './daily-quota.js';
export {
  deadlineCap,
  estimatedFinishMs,
  type FinishParams,
  type JobSize,
  measuredSize,
  meetsDeadline,
  runtimeOnHost,
} from './deadline-fit.js';
export { DEFAULT_SHARE, FairShare, type ShareAccount } from './fair-share.js';
export {
  failures,
  type HostCapabilities,
  meets,
  meetsField,
  type RequirementField,
  requirementFields,
} from './host-match.js';
export {
  DEFAULT_BUFFER_SECONDS,
  IN_FLIGHT_HEADROOM,
  type InFlightParams,
  inFlightCap,
  MAX_BUFFER_SECONDS,
  MAX_IN_FLIGHT,
  MIN_ESTIMATE_MS,
  runtimeEstimate,
  UNKNOWN_RUNTIME_PER_SLOT,
} from './in-flight-cap.js';
export {
  ADAPTIVE_MAX_TOTAL,
  DEFAULT_DEADLINE_MS,
  DEFAULT_REL_TOL,
  defaultQuorum,
  resolveCompare,
  resolvePolicy,
} from './job-policy.js';
export { type KnownAnswerVerdict, knownAnswerVerdict } from './known-answer.js';
export { largeBlobs, largeBlobsFromList, type TaskBlobs } from './large-blobs.js';
export {
  actsAsLeader,
  DEFAULT_LEADER_LEASE_MS,
  holderGone,
  holderId,
  LEADER_LEASE,
  type LeaseState,
  leadershipChange,
  mayTakeLease,
  renewEveryMs,
} from './leadership.js';
export {
  type LedgerAccountKind,
  type LedgerFacts,
  type LedgerProblem,
  ledgerProblems,
  mayBeNegative,
} from './ledger-rules.js';
export { DEFAULT_MISSED_HEARTBEATS, silenceAllowedMs, silentBefore } from './liveness.js';
export { ELF_HEADER_BYTES, nativeExecutableProblem } from './native-executable.js';
export {
  isPrivateAddress,
  NETWORK_RULES,
  type NetworkRule,
  networkPrefix,
  ruledPrefix,
} from './network-prefix.js';
export {
  floatArraysAgree,
  type HashedOutputs,
  jsonAgree,
  jsonNumbers,
  numbersAgree,
  restIsEqual,
  sourceOf,
  sourcesAgree,
  type Tolerance,
} from './numeric-compare.js';
export { type OutputSummary, outputDigest } from './output-digest.js';
export {
  owns,
  type Partition,
  PRESENCE_PREFIX,
  partitionOf,
  samePartition,
  WHOLE,
} from './partition.js';
export { NO_PARTNERS, withPartners } from './partner-accounts.js';
export { type JobPlacement, placeable, shapeOf } from './placement-fit.js';
export {
  SPREAD_MS,
  UNTRUSTED_JOB_MIN,
  UNTRUSTED_JOB_SHARE,
  untrustedAdaptiveCap,
  untrustedJobCap,
} from './placement-limits.js';
export {
  asksNothing,
  type Bid,
  cheapestAsks,
  compareBids,
  outbids,
  priceFits,
  REPUTATION_MARGIN,
  type ReplicaShape,
  unitCost,
  unitsOver,
} from './price-fit.js';
export { agreeingGroups, decideTask, type ReplicaFacts, type TaskDecision } from './quorum.js';
export {
  estimateQuote,
  type QuotedHost,
  type QuoteFigures,
  type QuoteInput,
  replicasPerTask,
} from './quote-estimate.js';
export {
  type JobEligibility,
  type LargeBlob,
  type LocalityView,
  ReadyQueue,
  type ReadyReplica,
} from './ready-queue.js';
export { addGrant, decayedSum, recentPerDay, removeGrant } from './recent-average.js';
export {
  type AcceptedResult,
  type Confirmation,
  confirmationOf,
  resultsToRecheck,
} from './recheck.js';
export {
  askCost,
  type BillFacts,
  basisPoints,
  billedUs,
  type Charge,
  charge,
  jobReserve,
  MEASURED_SIZE_SLACK,
  maxReplicaCharge,
  paidAsks,
  REFERENCE_SPEED,
  slashAmount,
  type Usage,
} from './replica-cost.js';
export {
  isFailure,
  isHandedBack,
  isInFlight,
  type ReplicaState,
  type TaskState,
  type Validation,
} from './replica-state.js';
export {
  DEFAULT_QUARANTINE,
  isQuarantined,
  type QuarantineParams,
  type Reputation,
  releaseFromQuarantine,
  reputation,
  sumRecords,
} from './reputation.js';
export {
  blobExpired,
  DEFAULT_BLOB_GRACE_MS,
  DEFAULT_JANITOR_INTERVAL_MS,
  DEFAULT_RETENTION_MS,
  FREE_PAGE_SLACK,
  JANITOR_TURN_MAX_MS,
  JANITOR_TURN_MS,
  janitorTurnMs,
  nextPurgeBatch,
  PURGE_STEP_TARGET_MS,
  PURGE_STEP_TASKS,
  pagesToReclaim,
  parseDuration,
  parseRetention,
  purgeCutoff,
} from './retention.js';
export { type Random, seededRandom } from './seeded-random.js';
export {
  DEFAULT_SIGNUP_RATE,
  decideSignup,
  type SignupDecision,
  type SignupRate,
} from './signup-rate.js';
export {
  MIN_WARMUP_SHARE,
  STAKE_UNIT,
  stakedWarmup,
  stakeOutranks,
  warmupShare,
} from './stake-trust.js';
export {
  type ConnectedHost,
  DEFAULT_STRANDED_MS,
  isStranded,
  mayHold,
  type StrandedFacts,
  strandedMessage,
  type TaskHolder,
} from './stranded-task.js';
export { foldTurnaround, onTimeRate, TURNAROUND_WEIGHT } from './timeliness.js';
export {
  DEFAULT_BANDWIDTH_BYTES_PER_S,
  type TransferChoice,
  worthFetching,
} from './transfer-choice.js';
export {
  adaptiveParams,
  adaptiveQuorum,
  hostsKeptApart,
  type Judgement,
  judgement,
  type KeptApart,
  knownDigest,
  spotCheckQuorum,
  tracksRecords,
} from './validation-mode.js';
export {
  DEFAULT_FORGIVE_AFTER,
  newValidationRecord,
  type ReplicaFailure,
  recordAlone,
  recordExonerated,
  recordFailure,
  recordInvalid,
  recordValid,
  strikes,
  type ValidationRecord,
} from './validation-record.js';
export {
  MAX_VALIDATOR_ANSWER_BYTES,
  readValidatorAnswer,
  type ValidatorVerdict,
} from './validator-answer.js';
export {
  chooseVariant,
  mayRunVariant,
  pinnedChoice,
  type VariantHost,
  type VariantOption,
  type VariantRuns,
} from './variant-choice.js';
export {
  asksText,
  bytesText,
  type DiagnosedHost,
  type Diagnosis,
  type DiagnosisInput,
  diagnose,
  keptApartMessage,
} from './why-no-match.js';
export { type HostStanding, sendableNow, workAllowance } from './work-allowance.js';
