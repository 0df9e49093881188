import { ConflictError } from '@anygrid/protocol';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { isTransient, loggedError, TransientError } from './transient-error.js';

describe('transient failures', () => {
  it('are logged by name and message, without the stack and causes a failover repeats', () => {
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:7071');
    const err = new TransientError('No answer from the coordinator: refused', { cause });
    expect(isTransient(err)).toBe(true);
    // As the agent's pino logger writes it.
    const lines: string[] = [];
    pino({}, { write: (l: string) => lines.push(l) }).warn({ err: loggedError(err) }, 'failed');
    expect(JSON.parse(lines[0] as string).err).toEqual({
      type: 'TransientError',
      name: 'TransientError',
      message: 'No answer from the coordinator: refused',
      stack: 'TransientError: No answer from the coordinator: refused',
    });
  });

  it('leave any other failure whole, to be looked into', () => {
    const refused = new ConflictError('no');
    expect(loggedError(refused)).toBe(refused);
    const bug = new TypeError('x is undefined');
    expect(loggedError(bug)).toBe(bug);
  });
});
