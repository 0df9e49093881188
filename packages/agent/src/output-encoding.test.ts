import { createHash } from 'node:crypto';
import { INLINE_OUTPUT_BYTES, Report } from '@anygrid/protocol';
import type { RunResult } from '@anygrid/runtime';
import { describe, expect, it } from 'vitest';
import { encodeOutput, reportFailure, reportRun, reportSize } from './output-encoding.js';

const text = (s: string) => new TextEncoder().encode(s);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function run(overrides: Partial<RunResult> = {}): RunResult {
  return {
    exitCode: 0,
    stdout: text('42\n'),
    stderr: new Uint8Array(0),
    dirs: { '/': {} },
    durationMs: 12.5,
    ...overrides,
  };
}

describe('encodeOutput', () => {
  it('inlines outputs up to 64 KiB as base64 with their hash and size', () => {
    const bytes = new Uint8Array(INLINE_OUTPUT_BYTES).fill(7);
    const ref = encodeOutput(bytes);
    expect(ref.size).toBe(INLINE_OUTPUT_BYTES);
    expect(ref.hash).toBe(sha(bytes));
    expect(Buffer.from(ref.data ?? '', 'base64').equals(Buffer.from(bytes))).toBe(true);
  });

  it('sends larger outputs by reference, to be uploaded first', () => {
    const bytes = new Uint8Array(INLINE_OUTPUT_BYTES + 1).fill(7);
    expect(encodeOutput(bytes)).toEqual({ hash: sha(bytes), size: bytes.byteLength });
  });

  it('encodes a view into a larger buffer by its own bytes only', () => {
    const backing = text('xxhelloxx');
    const view = backing.subarray(2, 7);
    expect(encodeOutput(view)).toEqual({
      hash: sha(text('hello')),
      size: 5,
      data: Buffer.from('hello').toString('base64'),
    });
  });
});

describe('reportRun', () => {
  it('reports exit 0 without failure as a success the protocol accepts', () => {
    const { report, uploads } = reportRun(5, run());
    expect(report.status).toBe('success');
    expect(report.error).toBeNull();
    expect(report.stdout?.data).toBe(Buffer.from('42\n').toString('base64'));
    // Nothing on stderr: sent as null, not as a reference to no bytes.
    expect(report.stderr).toBeNull();
    expect(uploads.size).toBe(0);
    expect(Report.parse(report)).toEqual(report);
  });

  it('reports a non-zero exit as an exit_code error, keeping its outputs', () => {
    const { report } = reportRun(5, run({ exitCode: 7, stderr: text('bad') }));
    expect(report.status).toBe('error');
    expect(report.exitCode).toBe(7);
    expect(report.error).toEqual({ code: 'exit_code', message: 'The program exited with code 7.' });
    expect(report.stderr?.size).toBe(3);
  });

  it("carries the runtime's failure code and message even when the exit code is 0", () => {
    const failure = { code: 'time_limit' as const, message: 'killed after 10 ms' };
    const { report } = reportRun(5, run({ exitCode: null, failure }));
    expect(report.status).toBe('error');
    expect(report.error).toEqual(failure);
    expect(Report.parse(report)).toEqual(report);
  });

  it('lists changed files by name and uploads the large ones', () => {
    const big = new Uint8Array(INLINE_OUTPUT_BYTES * 2).fill(1);
    const { report, uploads } = reportRun(
      5,
      run({ dirs: { '/': { 'out/b.bin': big, 'a.txt': text('a') } } }),
    );
    expect(Object.keys(report.files)).toEqual(['a.txt', 'out/b.bin']);
    expect(report.files['out/b.bin']).toEqual({ hash: sha(big), size: big.byteLength });
    expect([...uploads.keys()]).toEqual([sha(big)]);
    expect(Report.parse(report)).toEqual(report);
  });

  it('leaves the checkpoint out of the outputs, so replicas resumed or not compare equal', () => {
    const state = new Uint8Array(INLINE_OUTPUT_BYTES * 2).fill(7);
    const dirs = {
      '/': { 'checkpoint/state': state, 'checkpoint/progress': text('0.5'), 'out.txt': text('x') },
    };
    const { report, uploads } = reportRun(6, run({ dirs }));
    expect(Object.keys(report.files)).toEqual(['out.txt']);
    expect(uploads.size).toBe(0);
    const plain = reportRun(6, run({ dirs: { '/': { 'out.txt': text('x') } } }));
    expect(report.files).toEqual(plain.report.files);
  });

  it('turns a file name the wire cannot carry into an output_limit error', () => {
    const { report } = reportRun(5, run({ dirs: { '/': { 'has space.txt': text('x') } } }));
    expect(report.status).toBe('error');
    expect(report.error?.code).toBe('output_limit');
    expect(report.files).toEqual({});
    expect(Report.parse(report)).toEqual(report);
  });

  it('truncates a runtime message longer than the protocol allows', () => {
    const failure = { code: 'trap' as const, message: 'x'.repeat(10_000) };
    const { report } = reportRun(5, run({ exitCode: null, failure }));
    expect(report.error?.message.length).toBe(4000);
    expect(Report.parse(report)).toEqual(report);
  });
});

describe('reportFailure', () => {
  it('reports a replica that never ran, with no outputs', () => {
    const { report } = reportFailure(9, 'fetch_failed', 'blob missing', -1);
    expect(report).toEqual({
      replicaId: 9,
      status: 'error',
      exitCode: null,
      stdout: null,
      stderr: null,
      files: {},
      error: { code: 'fetch_failed', message: 'blob missing' },
      durationMs: 0,
    });
    expect(Report.parse(report)).toEqual(report);
  });
});

describe('reportSize', () => {
  it('grows with the inline data a report carries', () => {
    const small = reportSize(reportRun(1, run()));
    const large = reportSize(reportRun(1, run({ stdout: new Uint8Array(30_000) })));
    expect(large - small).toBeGreaterThanOrEqual(39_990);
  });
});
