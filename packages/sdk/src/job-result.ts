/**
 * @module
 * A task's result as the SDK hands it to callers: the wire `TaskResult` with stdout and
 * stderr already decoded (inline base64, or fetched by hash when large).
 */

import type { OutputRef, TaskResult } from '@anygrid/protocol';
import { fromBase64, utf8 } from './bytes.js';

/** One settled task. */
export interface JobResult {
  /** Position of the task in the job as submitted, from 0. */
  readonly index: number;
  readonly taskId: number;
  /** `valid`, `failed`, `no_consensus` or `cancelled`. */
  readonly outcome: TaskResult['outcome'];
  readonly exitCode: number | null;
  /** Canonical stdout as UTF-8 text ('' when there is none). */
  readonly stdout: string;
  readonly stdoutBytes: Uint8Array;
  /** Canonical stderr as UTF-8 text ('' when there is none). */
  readonly stderr: string;
  /** Output files by relative path; fetch bytes with `job.file(result, name)`. */
  readonly files: Readonly<Record<string, OutputRef>>;
  /** Error messages of failed replicas, when the task failed. */
  readonly errors: TaskResult['errors'];
  /** Distinct outputs when the task reached no consensus. */
  readonly candidates: TaskResult['candidates'];
  /** Position in the job's result stream; pass as `after` to resume. */
  readonly cursor: number;
  /**
   * True when this result replaces one yielded before for the same task: a provider was
   * caught cheating after its result had been accepted, and verifying the task again
   * changed its outcome.
   */
  readonly corrected: boolean;
  /** The result as the coordinator sent it. */
  readonly raw: TaskResult;
}

/** Fetches a blob's bytes by hash. */
export type BlobFetcher = (hash: string) => Promise<Uint8Array>;

/** The bytes of an output: inline when small, fetched by hash otherwise. */
export async function outputBytes(
  ref: OutputRef | null,
  fetchBlob: BlobFetcher,
): Promise<Uint8Array> {
  if (!ref || ref.size === 0) return new Uint8Array(0);
  if (ref.data !== undefined) return fromBase64(ref.data);
  return fetchBlob(ref.hash);
}

/** The bytes of an output held inline (or empty); undefined when they live in a blob. */
function inlineBytes(ref: OutputRef | null): Uint8Array | undefined {
  if (!ref || ref.size === 0) return new Uint8Array(0);
  return ref.data === undefined ? undefined : fromBase64(ref.data);
}

/** Decodes a wire result's stdout and stderr. */
export async function decodeResult(raw: TaskResult, fetchBlob: BlobFetcher): Promise<JobResult> {
  const [stdoutBytes, stderrBytes] = await Promise.all([
    outputBytes(raw.stdout, fetchBlob),
    outputBytes(raw.stderr, fetchBlob),
  ]);
  return jobResult(raw, stdoutBytes, stderrBytes);
}

/** `decodeResult` without waiting, for a result whose stdout and stderr are inline; else undefined. */
export function decodeInline(raw: TaskResult): JobResult | undefined {
  const stdoutBytes = inlineBytes(raw.stdout);
  const stderrBytes = stdoutBytes && inlineBytes(raw.stderr);
  return stdoutBytes && stderrBytes ? jobResult(raw, stdoutBytes, stderrBytes) : undefined;
}

function jobResult(raw: TaskResult, stdoutBytes: Uint8Array, stderrBytes: Uint8Array): JobResult {
  return {
    index: raw.index,
    taskId: raw.taskId,
    outcome: raw.outcome,
    exitCode: raw.exitCode,
    stdout: utf8(stdoutBytes),
    stdoutBytes,
    stderr: utf8(stderrBytes),
    files: raw.files,
    errors: raw.errors,
    candidates: raw.candidates,
    cursor: raw.cursor,
    corrected: raw.corrected === true,
    raw,
  };
}
