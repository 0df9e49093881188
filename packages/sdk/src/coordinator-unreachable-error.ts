/**
 * @module
 * The error for a coordinator that cannot be reached at all (connection refused, DNS,
 * reset). It carries the `UNAVAILABLE` code, so it is retryable like a 503, and a message
 * that names the URL and says what to do about it.
 */

import { AnygridError, ErrorCode } from '@anygrid/protocol';

/** No HTTP answer came back from the coordinator. */
export class CoordinatorUnreachableError extends AnygridError {
  /** The coordinator's base URL as the client was configured. */
  readonly url: string;

  constructor(url: string, cause: unknown) {
    const reason = describeCause(cause);
    super(
      ErrorCode.UNAVAILABLE,
      `Cannot reach the coordinator at ${url} (${reason}). Is it running? Start one with \`npm start\` ` +
        '(or `npx anygrid serve`), or point ANYGRID_URL at a running coordinator.',
      { url, reason },
    );
    this.url = url;
    this.cause = cause;
  }
}

/** The most specific system error code in a fetch failure's cause chain. */
function describeCause(cause: unknown): string {
  let current: unknown = cause;
  for (let depth = 0; depth < 5 && current; depth++) {
    const c = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof c.code === 'string') return c.code;
    if (!c.cause && typeof c.message === 'string') return c.message;
    current = c.cause;
  }
  return 'network error';
}
