/**
 * @module
 * Reads the coordinator's answer to `POST /v1/reports`. The protocol's `ReportResponse`
 * schema is the authority, but zod checking and copying one entry per report cost more
 * than the rest of handling the answer, for a list that is nearly always just numbers
 * and `accepted`. So an answer of the usual shape is checked here in place; anything
 * else goes through the schema, which accepts it or says why not. When the schema's
 * keys or statuses are not the ones this file knows (the protocol changed), every
 * answer goes through the schema.
 */

import { countKeys, isRecord, ReportResponse, ReportStatus, sameMembers } from '@anygrid/protocol';

/** The keys of one entry of the answer, and the statuses, that this fast path checks. */
const RESULT_KEYS = ['replicaId', 'status'];
const STATUSES: readonly string[] = ['accepted', 'duplicate', 'late'];

/** Whether the protocol's report answer has exactly the keys and statuses checked here. */
export const FAST_PATH_MATCHES_PROTOCOL =
  sameMembers(Object.keys(ReportResponse.shape), ['results']) &&
  sameMembers(Object.keys(ReportResponse.shape.results.element.shape), RESULT_KEYS) &&
  sameMembers(ReportStatus.options, STATUSES);

/** Checks report answers; shaped as a zod schema, so the client takes either. */
export const ReportResponseReader = {
  /** The body as a `ReportResponse`, or the schema's error; shaped as zod's `safeParse`. */
  safeParse(body: unknown): ReturnType<typeof ReportResponse.safeParse> {
    if (FAST_PATH_MATCHES_PROTOCOL && usual(body)) {
      return { success: true, data: body as ReportResponse };
    }
    return ReportResponse.safeParse(body);
  },
};

function usual(body: unknown): boolean {
  if (!isRecord(body) || countKeys(body) !== 1 || !Array.isArray(body.results)) return false;
  for (const entry of body.results as unknown[]) {
    if (!isRecord(entry) || countKeys(entry) !== 2) return false;
    const { replicaId, status } = entry;
    if (!Number.isSafeInteger(replicaId) || (replicaId as number) <= 0) return false;
    if (typeof status !== 'string' || !STATUSES.includes(status)) return false;
  }
  return true;
}
