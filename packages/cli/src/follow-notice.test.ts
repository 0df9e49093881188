import { describe, expect, it } from 'vitest';
import { followNotice, waitNotice } from './follow-notice.js';

const notice = (failingForMs: number, error: unknown = new Error('terminated')) => ({
  error,
  delayMs: 500,
  failingForMs,
  giveUpInMs: 600_000 - failingForMs,
});

describe('what a results follower says when it loses its coordinator', () => {
  it('says at once what failed and the command that resumes elsewhere from the last cursor', () => {
    const line = followNotice(7, 4321, notice(0), undefined) ?? '';
    expect(line).toContain('lost the coordinator: the connection was cut');
    expect(line).toContain('anygrid results 7 --follow --after 4321 --url URL');
    expect(line).toContain('600 s');
  });

  it('keeps quiet while it keeps retrying, and says so again every 30 s', () => {
    expect(followNotice(7, 1, notice(2_000, new Error('ECONNREFUSED')), 0)).toBeUndefined();
    expect(followNotice(7, 1, notice(29_000), 0)).toBeUndefined();
    expect(followNotice(7, 1, notice(31_000), 0)).toMatch(/still retrying after 31 s .*--after 1/);
    expect(followNotice(7, 1, notice(40_000), 31_000)).toBeUndefined();
  });
});

describe('what submit --wait says when it loses its coordinator', () => {
  it('says the job keeps running and how to follow it elsewhere', () => {
    const line = waitNotice(7, notice(0, new Error('ECONNREFUSED')), undefined) ?? '';
    expect(line).toContain('lost the coordinator: ECONNREFUSED');
    expect(line).toContain('the job keeps running');
    expect(line).toContain('anygrid status 7 --url URL');
    expect(waitNotice(7, notice(2_000), 0)).toBeUndefined();
    expect(waitNotice(7, notice(31_000), 0)).toMatch(/still retrying after 31 s .*status 7/);
  });
});
