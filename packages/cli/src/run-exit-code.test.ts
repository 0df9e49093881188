import { describe, expect, it } from 'vitest';
import { runExitCode } from './run-exit-code.js';

describe('runExitCode', () => {
  it("passes the module's own exit code through", () => {
    expect(runExitCode(0)).toBe(0);
    expect(runExitCode(7, { code: 'exit_code' })).toBe(7);
  });

  it('maps sandbox failures to 1xx codes like timeout(1)', () => {
    expect(runExitCode(null, { code: 'time_limit' })).toBe(124);
    expect(runExitCode(null, { code: 'memory_limit' })).toBe(125);
    expect(runExitCode(null, { code: 'trap' })).toBe(134);
    expect(runExitCode(null, { code: 'something_new' })).toBe(1);
  });
});
