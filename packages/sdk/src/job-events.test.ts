import { describe, expect, it } from 'vitest';
import { toJobEvent } from './job-events.js';

const sse = (event: string, data: string) => ({ event, data, id: undefined, retry: undefined });

describe('toJobEvent', () => {
  it('reads an event whose data is the whole JobEvent', () => {
    const ev = toJobEvent(sse('result', JSON.stringify({ type: 'result', result: { index: 1 } })));
    expect(ev).toEqual({ type: 'result', result: { index: 1 } });
  });

  it('takes the type from the SSE event name when the data carries only the payload', () => {
    expect(toJobEvent(sse('result', '{"index":2}'))).toEqual({
      type: 'result',
      result: { index: 2 },
    });
    expect(toJobEvent(sse('progress', '{"state":"running"}'))).toEqual({
      type: 'progress',
      state: 'running',
    });
  });

  it('skips unknown types and malformed data', () => {
    expect(toJobEvent(sse('ping', '{}'))).toBeUndefined();
    expect(toJobEvent(sse('result', 'not json'))).toBeUndefined();
  });
});
