/** Tests of one conformance file by status. */
export interface ConformanceCount {
  passed: number;
  failed: number;
  skipped: number;
  total: number;
}

/** The part of vitest's JSON report read here. */
export interface VitestReport {
  testResults: Array<{
    name: string;
    status: string;
    assertionResults: Array<{ status: string }>;
  }>;
}

export const CONFORMANCE_FILES: { node: string; chromium: string };
export function conformanceCounts(
  report: VitestReport,
): Record<'node' | 'chromium', ConformanceCount>;
export function conformanceLine(counts: Record<string, ConformanceCount>): string;
export function unproven(counts: Record<string, ConformanceCount>): string[];
