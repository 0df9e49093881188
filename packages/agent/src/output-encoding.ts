/**
 * @module
 * Turns what the sandbox produced into the report the coordinator expects. Each output
 * (stdout, stderr, every changed file) becomes an `OutputRef`: small outputs travel
 * inline as base64, larger ones are named by hash and listed as uploads the flusher must
 * `PUT` before it sends the report. It also enforces what the wire cannot carry — file
 * names outside `RelativePath`, outputs above `MAX_BLOB_BYTES`, long error messages —
 * by turning the replica into an error report rather than a batch the coordinator
 * would refuse. Pure apart from hashing.
 */

import {
  type FailureCode,
  INLINE_OUTPUT_BYTES,
  MAX_BLOB_BYTES,
  type OutputRef,
  RelativePath,
  type Report,
} from '@anygrid/protocol';
import type { RunResult } from '@anygrid/runtime';
import { sha256Hex } from './content-hash.js';

const EMPTY_HASH = sha256Hex(new Uint8Array(0));

/** Longest error message the protocol accepts. */
const MAX_ERROR_MESSAGE = 4000;

/** A report ready to queue, with the blobs that must be uploaded before it is sent. */
export interface OutgoingReport {
  readonly replicaId: number;
  readonly report: Report;
  /** hash → bytes of outputs too large to travel inline. */
  readonly uploads: ReadonlyMap<string, Uint8Array>;
}

/** One output as a reference, and its bytes when they have to be uploaded separately. */
export function encodeOutput(bytes: Uint8Array): { ref: OutputRef; upload?: Uint8Array } {
  // Most runs leave stderr empty: no need to hash nothing thousands of times a second.
  if (bytes.byteLength === 0) return { ref: { hash: EMPTY_HASH, size: 0, data: '' } };
  const hash = sha256Hex(bytes);
  if (bytes.byteLength <= INLINE_OUTPUT_BYTES) {
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    return { ref: { hash, size: bytes.byteLength, data } };
  }
  return { ref: { hash, size: bytes.byteLength }, upload: bytes };
}

/** The report of a run that reached the sandbox: success iff exit 0 and no failure. */
export function reportRun(replicaId: number, result: RunResult): OutgoingReport {
  const files = result.dirs['/'] ?? {};
  const refusal = refuseOutputs(result, files);
  if (refusal) return reportFailure(replicaId, 'output_limit', refusal, result.durationMs);

  const uploads = new Map<string, Uint8Array>();
  const encode = (bytes: Uint8Array): OutputRef => {
    const { ref, upload } = encodeOutput(bytes);
    if (upload) uploads.set(ref.hash, upload);
    return ref;
  };
  const error = runError(result);
  const report: Report = {
    replicaId,
    status: error ? 'error' : 'success',
    exitCode: result.exitCode,
    stdout: encode(result.stdout),
    stderr: encode(result.stderr),
    files: Object.fromEntries(
      Object.keys(files)
        .sort()
        .map((name) => [name, encode(files[name] as Uint8Array)]),
    ),
    error,
    durationMs: duration(result.durationMs),
  };
  return { replicaId, report, uploads };
}

/** The report of a replica that failed before or outside the sandbox's run. */
export function reportFailure(
  replicaId: number,
  code: FailureCode,
  message: string,
  durationMs: number,
): OutgoingReport {
  const report: Report = {
    replicaId,
    status: 'error',
    exitCode: null,
    stdout: null,
    stderr: null,
    files: {},
    error: { code, message: truncate(message) },
    durationMs: duration(durationMs),
  };
  return { replicaId, report, uploads: new Map() };
}

/** Approximate encoded size of a report, for bounding batches. */
export function reportSize(outgoing: OutgoingReport): number {
  const { report } = outgoing;
  let size = 300 + (report.error?.message.length ?? 0);
  for (const ref of [report.stdout, report.stderr, ...Object.values(report.files)]) {
    if (ref) size += 100 + (ref.data?.length ?? 0);
  }
  for (const name of Object.keys(report.files)) size += name.length;
  return size;
}

function runError(result: RunResult): Report['error'] {
  if (result.failure) {
    return { code: result.failure.code, message: truncate(result.failure.message) };
  }
  if (result.exitCode !== 0) {
    return { code: 'exit_code', message: `The program exited with code ${result.exitCode}.` };
  }
  return null;
}

/** Why these outputs cannot be reported as they are, or undefined when they can. */
function refuseOutputs(
  result: RunResult,
  files: Readonly<Record<string, Uint8Array>>,
): string | undefined {
  for (const name of Object.keys(files)) {
    if (!RelativePath.safeParse(name).success) {
      return `The program wrote a file whose name cannot be reported (${JSON.stringify(name.slice(0, 100))}); names must be relative paths of [A-Za-z0-9._-] segments.`;
    }
  }
  const outputs = [result.stdout, result.stderr, ...Object.values(files)];
  if (outputs.some((bytes) => bytes.byteLength > MAX_BLOB_BYTES)) {
    return `An output is larger than the ${MAX_BLOB_BYTES} bytes a coordinator accepts.`;
  }
  return undefined;
}

function truncate(message: string): string {
  return message.length <= MAX_ERROR_MESSAGE
    ? message
    : `${message.slice(0, MAX_ERROR_MESSAGE - 1)}…`;
}

function duration(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}
