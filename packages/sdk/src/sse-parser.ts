/**
 * @module
 * A small incremental parser for `text/event-stream` (the WHATWG server-sent events
 * format). We follow job events over `fetch` streaming rather than `EventSource`, which
 * cannot send an `Authorization` header, so the framing is ours to parse: text arrives in
 * arbitrary chunks, lines end in LF, CRLF or CR, and a blank line dispatches an event.
 */

/** One dispatched server-sent event. */
export interface SseEvent {
  /** The `event:` field, `message` when absent. */
  readonly event: string;
  /** The `data:` lines joined with `\n`. */
  readonly data: string;
  /** The last `id:` seen on the stream so far (ids persist across events, per the spec). */
  readonly id: string | undefined;
  /** A `retry:` hint in milliseconds, when the server sent one. */
  readonly retry: number | undefined;
}

/** Feeds decoded text in, takes complete events out. */
export class SseParser {
  private buffer = '';
  private eventType = '';
  private dataLines: string[] = [];
  private hasData = false;
  private lastId: string | undefined;
  private retry: number | undefined;
  /** A chunk ended on CR: if the next starts with LF, that LF belongs to the same line end. */
  private pendingCr = false;

  /** The id of the last event dispatched or seen; resume from here after a reconnect. */
  get lastEventId(): string | undefined {
    return this.lastId;
  }

  /** Parses a chunk of text and returns the events it completed. */
  push(chunk: string): SseEvent[] {
    let text = chunk;
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    const buffer = this.buffer + text;
    const events: SseEvent[] = [];
    // Streams end lines in LF in practice: find them with indexOf (a page of a thousand
    // results is ~0.5 MB) and look for CR only when the chunk has one.
    const hasCr = buffer.includes('\r');
    let start = 0;
    for (;;) {
      const i = hasCr ? lineEnd(buffer, start) : buffer.indexOf('\n', start);
      if (i === -1) break;
      const line = buffer.slice(start, i);
      start = i + 1;
      if (buffer.charCodeAt(i) === CR) {
        if (start === buffer.length) this.pendingCr = true;
        else if (buffer.charCodeAt(start) === LF) start++;
      }
      const ev = this.line(line);
      if (ev) events.push(ev);
    }
    this.buffer = start === 0 ? buffer : buffer.slice(start);
    return events;
  }

  /** Ends the stream. A partially received event is discarded, as the spec requires. */
  end(): void {
    this.buffer = '';
    this.resetEvent();
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.dataLines.push(value);
        this.hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break;
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    if (!this.hasData) {
      this.resetEvent();
      return undefined;
    }
    const ev: SseEvent = {
      event: this.eventType || 'message',
      data: this.dataLines.join('\n'),
      id: this.lastId,
      retry: this.retry,
    };
    this.resetEvent();
    return ev;
  }

  private resetEvent(): void {
    this.eventType = '';
    this.dataLines = [];
    this.hasData = false;
  }
}

const LF = 10;
const CR = 13;

/** Index of the next LF or CR at or after `from`, or -1. */
function lineEnd(text: string, from: number): number {
  const lf = text.indexOf('\n', from);
  const cr = text.indexOf('\r', from);
  if (lf === -1) return cr;
  if (cr === -1) return lf;
  return Math.min(lf, cr);
}
