/**
 * @module
 * Reads `POST /v1/reports` bodies. The protocol's `ReportBatch` schema is the authority,
 * but checking and copying a report through zod cost ~3.4 µs, more than the rest of
 * reading it, at tens of thousands of reports a second. Nearly every report has one
 * shape: a success or an exit code, stdout and stderr inline or by hash, no output files,
 * no error. Such a report is checked here in place, against the same rules the schema
 * states, and given the schema's defaults; any other report (files, an error, an
 * unfamiliar key or value) goes through the schema, which accepts it or says why not.
 * When the schema's keys are not the ones this file knows (the protocol changed), every
 * body goes through the schema.
 */

import {
  countKeys,
  hasBlobAddress,
  INLINE_OUTPUT_BASE64_CHARS,
  INLINE_OUTPUT_BYTES,
  isRecord,
  MAX_REPORTS_PER_BATCH,
  OutputRef,
  Report,
  ReportBatch,
  sameMembers,
} from '@anygrid/protocol';
import type { Checker } from './validate.js';

const BATCH_KEYS = ['hostId', 'reports'];
const REPORT_KEYS = [
  'replicaId',
  'status',
  'exitCode',
  'stdout',
  'stderr',
  'files',
  'error',
  'durationMs',
];
const OUTPUT_KEYS = ['hash', 'size', 'data'];

/** Whether the protocol's report batch has exactly the keys checked here. */
export const FAST_PATH_MATCHES_PROTOCOL =
  sameMembers(Object.keys(ReportBatch.shape), BATCH_KEYS) &&
  sameMembers(Object.keys(Report.shape), REPORT_KEYS) &&
  sameMembers(Object.keys(OutputRef.shape), OUTPUT_KEYS);

/** zod's base64 check: this alphabet, padding only at the end, a length divisible by 4. */
const BASE64 = /^[0-9a-zA-Z+/]*={0,2}$/;

/** The default of `files` in a report read in place; never written to. */
const NO_FILES: Record<string, OutputRef> = Object.freeze({}) as Record<string, OutputRef>;

/** Checks report batches; shaped as a zod schema, so `parse()` takes either. */
export const ReportBatchReader: Checker<ReportBatch> = {
  safeParse(body) {
    if (FAST_PATH_MATCHES_PROTOCOL && usualBatch(body)) {
      return { success: true, data: body as ReportBatch };
    }
    return ReportBatch.safeParse(body);
  },
};

/**
 * Whether the batch is well formed with every report usual or accepted by the schema.
 * Usual reports get the schema's defaults in place; others are replaced by the
 * schema's output. False leaves the whole body to the schema, for its error message.
 */
function usualBatch(body: unknown): boolean {
  if (!isRecord(body) || countKeys(body) !== 2) return false;
  const { hostId, reports } = body;
  if (!Number.isSafeInteger(hostId) || (hostId as number) <= 0) return false;
  if (!Array.isArray(reports) || reports.length < 1 || reports.length > MAX_REPORTS_PER_BATCH)
    return false;
  for (let i = 0; i < reports.length; i++) {
    const report: unknown = reports[i];
    if (isRecord(report) && usualReport(report)) continue;
    const parsed = Report.safeParse(report);
    if (!parsed.success) return false;
    reports[i] = parsed.data;
  }
  return true;
}

function usualReport(r: Record<string, unknown>): boolean {
  const keys = countKeys(r);
  const hasFiles = 'files' in r;
  const hasError = 'error' in r;
  const usual =
    keys === 6 + Number(hasFiles) + Number(hasError) &&
    Number.isSafeInteger(r.replicaId) &&
    (r.replicaId as number) > 0 &&
    (r.status === 'success' || r.status === 'error') &&
    (r.exitCode === null || Number.isSafeInteger(r.exitCode)) &&
    typeof r.durationMs === 'number' &&
    r.durationMs >= 0 &&
    usualOutput(r.stdout) &&
    usualOutput(r.stderr) &&
    (!hasFiles || (isRecord(r.files) && countKeys(r.files) === 0)) &&
    (!hasError || r.error === null);
  if (!usual) return false;
  r.files = NO_FILES;
  r.error = null;
  return true;
}

function usualOutput(value: unknown): boolean {
  if (value === null) return true;
  if (!isRecord(value)) return false;
  const { data } = value;
  const keys = countKeys(value);
  return (
    (keys === 2 || (keys === 3 && data !== undefined)) &&
    hasBlobAddress(value) &&
    (data === undefined ||
      (typeof data === 'string' &&
        data.length <= INLINE_OUTPUT_BASE64_CHARS &&
        (value.size as number) <= INLINE_OUTPUT_BYTES &&
        data.length % 4 === 0 &&
        BASE64.test(data)))
  );
}
