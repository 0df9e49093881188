import { INLINE_OUTPUT_BASE64_CHARS, INLINE_OUTPUT_BYTES, ReportBatch } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { FAST_PATH_MATCHES_PROTOCOL, ReportBatchReader } from './report-batch-reader.js';

const HASH = 'ab'.repeat(32);

function usualReport(): Record<string, unknown> {
  return {
    replicaId: 7,
    status: 'success',
    exitCode: 0,
    stdout: { hash: HASH, size: 3, data: 'aGkK' },
    stderr: null,
    durationMs: 0.25,
  };
}

/** Values tried in each field of a report, valid and not. */
const FIELD_VALUES: Record<string, unknown[]> = {
  replicaId: [1, 0, -1, 1.5, 2 ** 53, '7', null],
  status: ['success', 'error', 'ok', null, 1],
  exitCode: [0, 1, -1, null, 1.5, '0', 2 ** 60],
  durationMs: [0, 12.5, -0.1, '1', null, 1e300],
  stdout: [
    null,
    { hash: HASH, size: 0 },
    { hash: HASH, size: 0, data: '' },
    { hash: HASH, size: 5, data: 'aGVsbG8=' },
    { hash: HASH, size: 4, data: 'aGVsbA==' },
    { hash: HASH, size: 4, data: 'aGVsbA=' },
    { hash: HASH, size: 4, data: 'aGV sbA==' },
    { hash: HASH, size: 4, data: 'aG=sbA==' },
    { hash: HASH, size: 4, data: 'aGVsbA===' },
    { hash: HASH, size: 4, data: 'aGVs-A==' },
    { hash: HASH.toUpperCase(), size: 1 },
    { hash: HASH.slice(1), size: 1 },
    { hash: HASH, size: -1 },
    { hash: HASH, size: 1.5 },
    { hash: HASH, size: 2 ** 40 },
    { hash: HASH, size: 1, data: 5 },
    // Inline data stops at INLINE_OUTPUT_BYTES: at the bound, one byte over, and the
    // 8 MiB a provider once sent inline.
    { hash: HASH, size: INLINE_OUTPUT_BYTES, data: 'A'.repeat(INLINE_OUTPUT_BASE64_CHARS) },
    { hash: HASH, size: INLINE_OUTPUT_BYTES + 1, data: 'A'.repeat(INLINE_OUTPUT_BASE64_CHARS) },
    { hash: HASH, size: 3, data: 'A'.repeat(INLINE_OUTPUT_BASE64_CHARS + 4) },
    { hash: HASH, size: 8 << 20, data: 'A'.repeat(Math.ceil((8 << 20) / 3) * 4) },
    { hash: HASH, size: 1, extra: 1 },
    { hash: HASH },
    { size: 1, data: 'aGkK' },
    [],
    'x',
  ],
  files: [
    {},
    { 'out.txt': { hash: HASH, size: 2 } },
    { '../x': { hash: HASH, size: 2 } },
    { a: null },
    [],
    null,
  ],
  error: [
    null,
    { code: 'exit_code', message: 'exit 1' },
    { code: 'nope', message: 'x' },
    { code: 'exit_code' },
    'boom',
  ],
};
FIELD_VALUES.stderr = FIELD_VALUES.stdout as unknown[];

function bodies(): unknown[] {
  const out: unknown[] = [{ hostId: 3, reports: [usualReport()] }];
  for (const [field, values] of Object.entries(FIELD_VALUES)) {
    for (const value of values) {
      out.push({ hostId: 3, reports: [usualReport(), { ...usualReport(), [field]: value }] });
    }
    const without = usualReport();
    delete without[field];
    out.push({ hostId: 3, reports: [without] });
  }
  out.push(
    { hostId: 3, reports: [{ ...usualReport(), surprise: true }] },
    { hostId: 3, reports: [] },
    { hostId: 3, reports: Array.from({ length: 1001 }, usualReport) },
    { hostId: 3, reports: Array.from({ length: 1000 }, usualReport) },
    { hostId: 0, reports: [usualReport()] },
    { hostId: '3', reports: [usualReport()] },
    { reports: [usualReport()] },
    { hostId: 3, reports: [usualReport()], more: 1 },
    { hostId: 3, reports: [null] },
    { hostId: 3, reports: {} },
    JSON.parse(
      `{"hostId":3,"reports":[{"__proto__":{},${JSON.stringify(usualReport()).slice(1)}]}`,
    ),
    null,
    [],
    'reports',
  );
  return out;
}

describe('ReportBatchReader', () => {
  it('knows every key of the protocol report batch', () => {
    expect(FAST_PATH_MATCHES_PROTOCOL).toBe(true);
  });

  it('accepts exactly what the schema accepts, with the same values', () => {
    let accepted = 0;
    for (const body of bodies()) {
      const schema = ReportBatch.safeParse(structuredClone(body));
      const reader = ReportBatchReader.safeParse(structuredClone(body));
      expect(reader.success, JSON.stringify(body)?.slice(0, 300)).toBe(schema.success);
      if (schema.success && reader.success) {
        expect(reader.data).toEqual(schema.data);
        accepted++;
      }
    }
    // The cases cover both answers.
    expect(accepted).toBeGreaterThan(20);
  });

  it('reads a usual batch in place, with the schema defaults', () => {
    const body = { hostId: 3, reports: [usualReport(), usualReport()] };
    const result = ReportBatchReader.safeParse(body);
    expect(result.success && result.data).toBe(body);
    expect(body.reports[0]).toMatchObject({ files: {}, error: null });
  });

  it('gives the schema error for a bad report', () => {
    const result = ReportBatchReader.safeParse({
      hostId: 3,
      reports: [usualReport(), { ...usualReport(), exitCode: 'zero' }],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['reports', 1, 'exitCode']);
  });
});
