import { describe, expect, it } from 'vitest';
import { SseParser } from './sse-parser.js';

describe('SseParser', () => {
  it('dispatches an event on a blank line with its id, type and data', () => {
    const p = new SseParser();
    const events = p.push('id: 3\nevent: result\ndata: {"a":1}\n\n');
    expect(events).toEqual([{ event: 'result', data: '{"a":1}', id: '3', retry: undefined }]);
  });

  it('joins multi-line data and defaults the type to message', () => {
    const p = new SseParser();
    expect(p.push('data: a\ndata: b\n\n')).toEqual([
      { event: 'message', data: 'a\nb', id: undefined, retry: undefined },
    ]);
  });

  it('reassembles events split across arbitrary chunks', () => {
    const text = 'id: 1\nevent: progress\ndata: {"x":2}\n\nid: 2\ndata: y\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const p = new SseParser();
      const events = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
      expect(events.map((e) => [e.id, e.event, e.data])).toEqual([
        ['1', 'progress', '{"x":2}'],
        ['2', 'message', 'y'],
      ]);
    }
  });

  it('accepts CRLF and CR line ends, including a CRLF split between chunks', () => {
    const p = new SseParser();
    const events = [...p.push('data: a\r'), ...p.push('\n\r\n'), ...p.push('data: b\r\r')];
    expect(events.map((e) => e.data)).toEqual(['a', 'b']);
  });

  it('ignores comments, unknown fields and events without data', () => {
    const p = new SseParser();
    expect(p.push(': keepalive\n\nfoo: bar\nevent: x\n\n')).toEqual([]);
  });

  it('keeps the last id across events and exposes it for resuming', () => {
    const p = new SseParser();
    p.push('id: 7\ndata: a\n\ndata: b\n\n');
    expect(p.lastEventId).toBe('7');
  });

  it('reads retry hints and keeps a value without a leading space intact', () => {
    const p = new SseParser();
    const [ev] = p.push('retry: 1500\ndata:no-space\n\n');
    expect(ev?.retry).toBe(1500);
    expect(ev?.data).toBe('no-space');
  });

  it('discards a partial event when the stream ends', () => {
    const p = new SseParser();
    p.push('data: half');
    p.end();
    expect(p.push('\n\n')).toEqual([]);
  });
});
