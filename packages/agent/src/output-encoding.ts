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
// The package's conditional import: node:crypto on Node, plain JavaScript in a browser.
import { base64Of, sha256Hex } from '#content-hash';

/** Most runs leave stderr empty: no need to hash nothing thousands of times a second. */
const EMPTY_OUTPUT: OutputRef = Object.freeze({
  hash: sha256Hex(new Uint8Array(0)),
  size: 0,
  data: '',
});

/** The uploads of a report whose outputs all travel inline (nearly all of them). */
const NO_UPLOADS: ReadonlyMap<string, Uint8Array> = new Map();

/** The files of a report without any: most runs write none. */
const NO_FILES: Report['files'] = Object.freeze({});

/** Longest error message the protocol accepts. */
const MAX_ERROR_MESSAGE = 4000;

/** A report ready to queue, with the blobs that must be uploaded before it is sent. */
export interface OutgoingReport {
  readonly replicaId: number;
  readonly report: Report;
  /** hash → bytes of outputs too large to travel inline. */
  readonly uploads: ReadonlyMap<string, Uint8Array>;
}

/**
 * One output as a reference: inline (with `data`) up to `INLINE_OUTPUT_BYTES`, else
 * without, its bytes to be uploaded separately.
 */
export function encodeOutput(bytes: Uint8Array): OutputRef {
  if (bytes.byteLength === 0) return EMPTY_OUTPUT;
  const hash = sha256Hex(bytes);
  if (bytes.byteLength > INLINE_OUTPUT_BYTES) return { hash, size: bytes.byteLength };
  const data = base64Of(bytes);
  return { hash, size: bytes.byteLength, data };
}

/** The report of a run that reached the sandbox: success iff exit 0 and no failure. */
export function reportRun(replicaId: number, result: RunResult): OutgoingReport {
  const files = withoutCheckpoint(result.dirs['/']);
  const refusal = refuseOutputs(result, files);
  if (refusal) return reportFailure(replicaId, 'output_limit', refusal, result.durationMs);

  const error = runError(result);
  const report: Report = {
    replicaId,
    status: error ? 'error' : 'success',
    exitCode: result.exitCode,
    stdout: encodeOutput(result.stdout),
    // Nothing written to stderr travels as null: it is never compared, and most runs
    // leave it empty, so ~100 bytes per report are not sent, checked and stored.
    stderr: result.stderr.byteLength === 0 ? null : encodeOutput(result.stderr),
    files: files ? encodeFiles(files) : NO_FILES,
    error,
    durationMs: duration(result.durationMs),
  };
  return { replicaId, report, uploads: uploadsOf(report, result, files) };
}

/** Where a program keeps its checkpoint (docs/checkpoints.md): never an output. */
const CHECKPOINT_PREFIX = 'checkpoint/';

/**
 * The files a run wrote, less its checkpoint: replicas that resumed from different
 * points, or never checkpointed, must still compare equal.
 */
export function withoutCheckpoint(
  files: Readonly<Record<string, Uint8Array>> | undefined,
): Readonly<Record<string, Uint8Array>> | undefined {
  let kept: Record<string, Uint8Array> | undefined;
  for (const name in files) {
    if (!name.startsWith(CHECKPOINT_PREFIX)) continue;
    kept = {};
    break;
  }
  if (kept === undefined) return files;
  for (const name in files)
    if (!name.startsWith(CHECKPOINT_PREFIX)) kept[name] = files[name] as Uint8Array;
  return kept;
}

/** Output files by name, in name order. */
function encodeFiles(files: Readonly<Record<string, Uint8Array>>): Report['files'] {
  let refs: Report['files'] | undefined;
  // Most runs write no file: no need for an array of their names.
  for (const _ in files) {
    refs = {};
    break;
  }
  if (refs === undefined) return NO_FILES;
  for (const name of Object.keys(files).sort())
    refs[name] = encodeOutput(files[name] as Uint8Array);
  return refs;
}

/** The bytes of every output of `report` that does not travel inline, by hash. */
function uploadsOf(
  report: Report,
  result: RunResult,
  files: Readonly<Record<string, Uint8Array>> | undefined,
): ReadonlyMap<string, Uint8Array> {
  let uploads: Map<string, Uint8Array> | undefined;
  const add = (ref: OutputRef | null, bytes: Uint8Array) => {
    if (!ref || ref.data !== undefined) return;
    uploads ??= new Map();
    uploads.set(ref.hash, bytes);
  };
  add(report.stdout, result.stdout);
  add(report.stderr, result.stderr);
  for (const name in report.files) add(report.files[name] ?? null, files?.[name] as Uint8Array);
  return uploads ?? NO_UPLOADS;
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
  return { replicaId, report, uploads: NO_UPLOADS };
}

/** Approximate encoded size of a report, for bounding batches. */
export function reportSize(outgoing: OutgoingReport): number {
  const { report } = outgoing;
  let size = 300 + (report.error?.message.length ?? 0) + refSize(report.stdout);
  size += refSize(report.stderr);
  for (const name in report.files) size += name.length + refSize(report.files[name] ?? null);
  return size;
}

function refSize(ref: OutputRef | null): number {
  return ref ? 100 + (ref.data?.length ?? 0) : 0;
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
  files: Readonly<Record<string, Uint8Array>> | undefined,
): string | undefined {
  let largest = Math.max(result.stdout.byteLength, result.stderr.byteLength);
  for (const name in files) {
    if (!RelativePath.safeParse(name).success) {
      return `The program wrote a file whose name cannot be reported (${JSON.stringify(name.slice(0, 100))}); names must be relative paths of [A-Za-z0-9._-] segments.`;
    }
    largest = Math.max(largest, (files[name] as Uint8Array).byteLength);
  }
  if (largest > MAX_BLOB_BYTES) {
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
