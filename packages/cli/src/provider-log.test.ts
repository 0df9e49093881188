import { describe, expect, it } from 'vitest';
import { createProviderLog } from './provider-log.js';

describe('createProviderLog', () => {
  it('writes lines at the level and above, and keeps the last warning even below it', () => {
    const lines: string[] = [];
    const log = createProviderLog('error', (l) => lines.push(l));
    log.logger.info('registered with the coordinator');
    expect(log.lastProblem()).toBeUndefined();
    log.logger.warn({ err: new Error('connect ECONNREFUSED') }, 'work request failed');
    expect(lines).toEqual([]);
    expect(log.lastProblem()).toMatchObject({
      message: 'work request failed: connect ECONNREFUSED',
      severity: 'warning',
    });
    log.logger.error('task runner threw');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['task runner threw']);
    expect(log.lastProblem()).toMatchObject({ message: 'task runner threw', severity: 'error' });
  });

  it('writes info lines at --log-level info', () => {
    const lines: string[] = [];
    createProviderLog('info', (l) => lines.push(l)).logger.info('registered');
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 30, msg: 'registered' });
  });
});
