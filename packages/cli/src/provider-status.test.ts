import { describe, expect, it } from 'vitest';
import { StatusLine, statusText } from './provider-status.js';

describe('statusText', () => {
  it('says tasks done, running and failed, and the last warning or error with its time', () => {
    const counts = { completed: 12, running: 2, failed: 1 };
    expect(statusText(3, counts)).toBe('host 3: 12 done, 2 running, 1 failed');
    const time = new Date(2026, 0, 2, 14, 2, 11).getTime();
    const problem = { time, message: 'work request failed: refused' };
    expect(statusText(3, counts, { ...problem, severity: 'warning' })).toBe(
      'host 3: 12 done, 2 running, 1 failed; last warning 14:02:11 work request failed: refused',
    );
    expect(statusText(3, counts, { ...problem, severity: 'error' })).toBe(
      'host 3: 12 done, 2 running, 1 failed; last error 14:02:11 work request failed: refused',
    );
  });
});

describe('StatusLine', () => {
  const output = (isTTY: boolean) => {
    const written: string[] = [];
    return { written, out: { isTTY, columns: 20, write: (t: string) => written.push(t) } };
  };

  it('redraws one line in a terminal, printing other lines above it', () => {
    const { written, out } = output(true);
    const line = new StatusLine(out);
    line.show('host 1: 0 done');
    line.show('host 1: 0 done');
    line.print('joined');
    line.show('host 1: 1 done, and a long tail');
    expect(written.join('')).toBe(
      '\r\u001b[2Khost 1: 0 done' +
        '\r\u001b[2Kjoined\nhost 1: 0 done' +
        '\r\u001b[2Khost 1: 1 done, an…',
    );
  });

  it('prints a line per change elsewhere', () => {
    const { written, out } = output(false);
    const line = new StatusLine(out);
    line.show('a');
    line.show('a');
    line.print('joined');
    line.show('b');
    expect(written).toEqual(['a\n', 'joined\n', 'b\n']);
  });
});
