import { AnygridError, ErrorCode, NotFoundError } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { CliError, describeError, usageError } from './cli-error.js';

describe('describeError', () => {
  it('keeps the code a coordinator sent and adds a next step for every code', () => {
    for (const code of Object.values(ErrorCode)) {
      const d = describeError(new AnygridError(code, 'm'));
      expect(d.code).toBe(code);
      expect(d.hint).toBeTruthy();
      expect(d.exitCode).toBe(1);
    }
    expect(describeError(new NotFoundError('job', 3)).hint).toMatch(/anygrid jobs/);
    // A missing host points at the hosts, not the jobs.
    expect(describeError(new NotFoundError('host', 99)).hint).toBe(
      'list the hosts this token may see with `anygrid hosts`',
    );
    expect(describeError(new AnygridError(ErrorCode.INSUFFICIENT_BALANCE, 'm')).hint).toContain(
      'anygrid ledger credit ACCOUNT CREDITS',
    );
    // The SDK's error says how to start a coordinator; the hint adds what it does not.
    const down = describeError(new AnygridError(ErrorCode.UNAVAILABLE, 'Start one with npm start'));
    expect(down.hint).toMatch(/another with --url or ANYGRID_URL/);
    expect(down.hint).not.toMatch(/npm start/);
  });

  it('exits 2 for usage errors and names the command to get help on', () => {
    const d = describeError(usageError('bad flag', 'submit'));
    expect(d).toMatchObject({ code: 'USAGE', exitCode: 2 });
    expect(d.hint).toContain('anygrid submit --help');
  });

  it('reports system errors by their code with a next step', () => {
    const err = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    expect(describeError(err)).toMatchObject({ code: 'EADDRINUSE', exitCode: 1 });
    expect(describeError(err).hint).toMatch(/--port/);
  });

  it('calls anything else an internal error', () => {
    expect(describeError(new CliError('X', 'y'))).toMatchObject({ code: 'X', message: 'y' });
    expect(describeError('boom')).toMatchObject({ code: 'INTERNAL', message: 'boom' });
  });
});
