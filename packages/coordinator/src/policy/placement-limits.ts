/**
 * @module
 * Placement rules against strangers who collude. Same-account rules cannot stop two
 * accounts that agree to return one wrong output: they win a task only when they hold
 * both of its replicas, and they get there by pulling fast. So:
 * - a host the validator does not trust yet holds at most `untrustedJobCap` replicas of
 *   one job at a time, however fast it pulls: a pair of newcomers cannot corner a job (of
 *   an `adaptive` job, no more than its warm-up: `untrustedAdaptiveCap`);
 * - a task's replicas are spread over pulls made at different times: a replica is not
 *   sent to an untrusted host while another replica of its task was sent less than
 *   `SPREAD_MS` ago and is still running, so two newcomers pulling in the same instant
 *   never get both. Hosts with a record are spared the rule: it would make a trusted
 *   host that buffers hundreds of tasks wait for its partner's pull, at a cost of a
 *   refused replica each, for little gain (a pair patient enough to earn trust can also
 *   pull 250 ms apart).
 * Both are enforced by the store inside the assignment transaction; a replica refused by
 * either stays ready for another host.
 */

/** Least in-flight replicas of one job an untrusted host may hold: enough to fill a few slots. */
export const UNTRUSTED_JOB_MIN = 4;

/** Share of a job's tasks an untrusted host may hold in flight, when that is more than the minimum. */
export const UNTRUSTED_JOB_SHARE = 0.02;

/** In-flight replicas of one job a host not trusted by the validator may hold. */
export function untrustedJobCap(tasksTotal: number): number {
  return Math.max(UNTRUSTED_JOB_MIN, Math.ceil(tasksTotal * UNTRUSTED_JOB_SHARE));
}

/**
 * In-flight replicas of an `adaptive` job a host not trusted yet may hold: `untrustedJobCap`,
 * and no more than the warm-up it needs (`need`, adaptive-replication.ts requiredStreak).
 * Every result an untrusted host reports is checked by another host, and checks queue
 * behind the work the checking host holds already; a newcomer holding 2 % of a large job
 * reported thousands of results before its first twenty were checked, each of them run
 * twice (a tenth more replicas per task on two agents). Holding no more than its warm-up,
 * it earns trust after about as many results as the rule asks for.
 */
export function untrustedAdaptiveCap(tasksTotal: number, need: number): number {
  return Math.min(untrustedJobCap(tasksTotal), Math.max(UNTRUSTED_JOB_MIN, need));
}

/**
 * Time between sending a task's replica and sending another replica of it while the first
 * runs, in ms: longer than one round trip of a pull, short beside a task's run.
 */
export const SPREAD_MS = 250;
