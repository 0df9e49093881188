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
    this.buffer += text;
    const events: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const ch = this.buffer[i];
      if (ch !== '\n' && ch !== '\r') continue;
      const line = this.buffer.slice(start, i);
      if (ch === '\r') {
        if (i + 1 === this.buffer.length) this.pendingCr = true;
        else if (this.buffer[i + 1] === '\n') i++;
      }
      start = i + 1;
      const ev = this.line(line);
      if (ev) events.push(ev);
    }
    this.buffer = this.buffer.slice(start);
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
