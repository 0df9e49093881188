/**
 * @module
 * What a job's validation mode asks of the validator, as pure decisions the store takes
 * inside the settling transaction:
 * - which jobs keep validation records at all (`tracksRecords`): those whose results are
 *   compared. An unreplicated `replicate` job or a `none` job judges no one, so its fast
 *   path reads and writes no record;
 * - the quorum an `adaptive` task needs now (`adaptiveQuorum`): one result from a host
 *   the adaptive rule lets go alone, otherwise two that agree;
 * - what a settlement means for one replica's record (`judgement`), so that settling a
 *   task again after a re-check counts each change once: a replica already judged valid
 *   is not counted twice, one judged invalid and now agreeing is exonerated.
 */

import type { JobPolicy } from '@anygrid/protocol';
import {
  type AdaptiveParams,
  DEFAULT_ADAPTIVE,
  mayAcceptAlone,
  shouldReplicate,
} from './adaptive-replication.js';
import type { ReplicaFacts } from './quorum.js';
import type { Validation } from './replica-state.js';
import type { Random } from './seeded-random.js';
import type { ValidationRecord } from './validation-record.js';

type Policy = Pick<JobPolicy, 'validation' | 'quorum'>;

/** Hosts of different accounts (and networks) a job's tasks need to settle, and for which share of them. */
export interface KeptApart {
  readonly hosts: number;
  /** Share of the tasks that need them: 1 for every task. */
  readonly share: number;
}

/**
 * What a job needs of hosts kept apart: its quorum for every task when replicated; 2 for
 * `adaptive`, whose untrusted hosts' results wait for a check on another account's host
 * until enough accounts confirmed them; 2 for the share `rate` of a `spot-check` job's
 * tasks drawn for a second replica (on a pool of one account they would wait for ever,
 * and the job never end); 1 otherwise.
 */
export function hostsKeptApart(policy: Policy): KeptApart {
  const v = policy.validation;
  if (v.mode === 'adaptive') return { hosts: 2, share: 1 };
  if (v.mode === 'spot-check' && v.rate > 0) return { hosts: 2, share: v.rate };
  return { hosts: v.mode === 'replicate' ? Math.max(1, policy.quorum) : 1, share: 1 };
}

/** Whether settling this job's tasks judges hosts (and so reads and writes their records). */
export function tracksRecords(policy: Policy): boolean {
  const mode = policy.validation.mode;
  return (
    mode === 'adaptive' || mode === 'spot-check' || (mode === 'replicate' && policy.quorum >= 2)
  );
}

const paramsOf = new WeakMap<Pick<JobPolicy, 'validation'>, AdaptiveParams>();

/**
 * The adaptive rule's parameters for a job: its own floor, warm-up, wait and partners, the rest by
 * default. Remembered per policy object, since every settlement of the job asks.
 */
export function adaptiveParams(policy: Pick<JobPolicy, 'validation' | 'compare'>): AdaptiveParams {
  const v = policy.validation;
  if (v.mode !== 'adaptive') return DEFAULT_ADAPTIVE;
  let p = paramsOf.get(policy);
  if (!p) {
    p = {
      ...DEFAULT_ADAPTIVE,
      floor: v.floor,
      warmup: v.warmup,
      trustedWaitMs: v.trustedWaitMs,
      partners: v.partners ?? DEFAULT_ADAPTIVE.partners,
    };
    // A spot check judges its answer by its bytes against the settled one; under a
    // tolerant comparator differing bytes prove nothing, so the check would be work for
    // no verdict. Such jobs rely on the floor's checks, which go through the comparator.
    if (policy.compare.kind !== 'exact') p = { ...p, spotCheckRate: 0 };
    paramsOf.set(policy, p);
  }
  return p;
}

/**
 * The quorum an `adaptive` task needs, given its replicas (a caught host's excluded
 * ones already left out, as abandoned) and whether it was reopened by a re-check. Until
 * a first result is in, one: nothing to compare yet, and a lost replica is replaced by
 * one, not two. A task may then settle on that one result only when it is the task's
 * only replica that counts (none other reported, running, failed or timed out, so no
 * check was ever asked for and none was dodged), it was not reopened, and its host's
 * record says so: still trusted now (`mayAcceptAlone`: it may have been caught since the
 * task was sent) and not drawn for a check (`shouldReplicate`). Otherwise two results
 * must agree, and `decideTask` creates the replica that checks the first.
 */
export function adaptiveQuorum(
  replicas: readonly ReplicaFacts[],
  reopened: boolean,
  recordOf: (replicaId: number) => ValidationRecord,
  params: AdaptiveParams,
  random: Random,
): 1 | 2 {
  const only = onlyResult(replicas, reopened);
  if (only === 'compare') return 2;
  if (only === 'wait') return 1;
  const record = recordOf(only.id);
  return mayAcceptAlone(record, params) && !shouldReplicate(record, params, random) ? 1 : 2;
}

/**
 * The quorum a `spot-check` task without a known answer needs: as `adaptiveQuorum`, but
 * whoever its host, its one result is checked by a second replica with probability `rate`.
 */
export function spotCheckQuorum(
  replicas: readonly ReplicaFacts[],
  reopened: boolean,
  rate: number,
  random: Random,
): 1 | 2 {
  const only = onlyResult(replicas, reopened);
  if (only === 'compare') return 2;
  if (only === 'wait') return 1;
  return random() < rate ? 2 : 1;
}

/**
 * Where a task that may settle on one result stands: waiting for its first result, bound
 * to compare (reopened, or more than one replica counts), or with one result to decide on.
 */
function onlyResult(
  replicas: readonly ReplicaFacts[],
  reopened: boolean,
): ReplicaFacts | 'wait' | 'compare' {
  if (reopened) return 'compare';
  let reported: ReplicaFacts | undefined;
  let others = 0;
  for (const r of replicas) {
    if (r.state === 'abandoned') continue;
    if (r.state === 'reported' && reported === undefined) reported = r;
    else others++;
  }
  if (!reported) return 'wait';
  return others > 0 ? 'compare' : reported;
}

const knownOf = new WeakMap<Pick<JobPolicy, 'validation'>, Map<number, string>>();

/** The output digest a `spot-check` job's requester gave for the task at `index`, if any. */
export function knownDigest(
  policy: Pick<JobPolicy, 'validation'>,
  index: number,
): string | undefined {
  const v = policy.validation;
  if (v.mode !== 'spot-check' || v.knownAnswers.length === 0) return undefined;
  let known = knownOf.get(policy);
  if (!known) {
    known = new Map(v.knownAnswers.map((k) => [k.index, k.digest]));
    knownOf.set(policy, known);
  }
  return known.get(index);
}

/** What one settlement changes in a replica's host's record. */
export type Judgement = 'valid' | 'alone' | 'invalid' | 'exonerated' | null;

/**
 * The record change for a replica whose validation goes from `before` to `after` at a
 * settlement; `alone` when it was its task's only result. Null when nothing changes, as
 * for a replica confirmed again by a re-check.
 */
export function judgement(before: Validation | null, after: Validation, alone: boolean): Judgement {
  if (before === after) return null;
  if (after === 'invalid') return 'invalid';
  if (before === 'invalid') return 'exonerated';
  return alone ? 'alone' : 'valid';
}
