import { describe, expect, it } from 'vitest';
import { shouldForward } from './agent-supervisor.js';

describe('forwarding dev agents output', () => {
  it('drops structured log lines below the level and keeps the rest', () => {
    const info = JSON.stringify({ level: 30, msg: 'registered' });
    const warn = JSON.stringify({ level: 40, msg: 'retrying' });
    expect(shouldForward(info, 'warn')).toBe(false);
    expect(shouldForward(warn, 'warn')).toBe(true);
    expect(shouldForward(info, 'debug')).toBe(true);
    expect(shouldForward(warn, 'silent')).toBe(false);
  });

  it('always keeps plain status lines', () => {
    expect(shouldForward('joined http://127.0.0.1:7070 as host 1', 'silent')).toBe(true);
    expect(shouldForward('{not json', 'error')).toBe(true);
  });
});
