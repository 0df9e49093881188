import type { TaskResult } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { resultLine } from './result-line.js';

const base: TaskResult = {
  index: 3,
  taskId: 9,
  outcome: 'valid',
  exitCode: 0,
  stdout: { hash: 'a'.repeat(64), size: 5 },
  stderr: null,
  files: {},
  errors: [],
  candidates: [],
  cursor: 1,
};

describe('resultLine', () => {
  it('shows a short stdout inline', () => {
    expect(resultLine(base, '9592\n')).toBe('#3 valid exit 0: 9592');
  });

  it('replaces long or multi-line stdout by its size', () => {
    expect(resultLine({ ...base, stdout: { hash: 'a'.repeat(64), size: 8 } }, 'a\nb\nc\nd\n')).toBe(
      '#3 valid exit 0: (8 bytes of stdout)',
    );
  });

  it('shows the first error of a failed task and the output file names', () => {
    const failed: TaskResult = {
      ...base,
      outcome: 'failed',
      exitCode: null,
      stdout: null,
      errors: [{ code: 'time_limit', message: 'wall-time limit of 5000 ms exceeded' }],
      files: { 'out.txt': { hash: 'b'.repeat(64), size: 1 } },
    };
    expect(resultLine(failed, undefined)).toBe(
      '#3 failed [time_limit: wall-time limit of 5000 ms exceeded] files: out.txt',
    );
  });
});
