/**
 * @module
 * The push half of "pull with push": a WebSocket to `GET /v1/hosts/{id}/stream` on
 * which the coordinator says that work is waiting or that replicas are cancelled, so a
 * connected agent pulls within one round trip instead of a poll interval. It reconnects
 * with backoff through coordinator restarts, and pings to notice a connection that died
 * silently. The agent works without it (it polls); the stream only makes it prompt.
 * Every message is untrusted until `AgentMessage` accepts it.
 */

import { AgentMessage } from '@anygrid/protocol';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { Backoff, type BackoffPolicy, RECONNECT_BACKOFF } from './backoff.js';

export interface WorkStreamOptions {
  /** Coordinator base URL (http or https), read again at each connection. */
  readonly baseUrl: string | (() => string);
  /** A connection to `baseUrl` failed before it opened (several coordinators: try the next). */
  readonly onUnreachable?: (baseUrl: string) => void;
  readonly hostId: number;
  readonly authorization: string;
  readonly logger: Logger;
  readonly onMessage: (message: AgentMessage) => void;
  /** Called on every (re)connection: announcements may have been missed meanwhile. */
  readonly onOpen: () => void;
  readonly backoff?: BackoffPolicy;
  /** Interval of keep-alive pings; a ping unanswered by the next one ends the connection. */
  readonly pingMs?: number;
}

/** Largest message accepted from the coordinator. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

/** A self-healing WebSocket to the coordinator's per-host stream. */
export class WorkStream {
  private socket: WebSocket | undefined;
  private readonly backoff: Backoff;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private open = false;

  constructor(private readonly options: WorkStreamOptions) {
    this.backoff = new Backoff(options.backoff ?? RECONNECT_BACKOFF);
    this.connect();
  }

  /** True while the stream is up. */
  get connected(): boolean {
    return this.open;
  }

  /** Closes the stream for good. */
  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    this.socket?.removeAllListeners();
    this.socket?.on('error', () => {});
    this.socket?.terminate();
    this.socket = undefined;
    this.open = false;
  }

  /**
   * Reconnects now rather than at the end of the backoff: another request just reached
   * the coordinator, so it is back (after a restart, the backoff could otherwise keep
   * the stream down for seconds after the coordinator returned).
   */
  reconnectNow(): void {
    if (this.closed || this.open || this.reconnectTimer === undefined) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.backoff.reset();
    this.connect();
  }

  private baseUrl(): string {
    const { baseUrl } = this.options;
    return typeof baseUrl === 'string' ? baseUrl : baseUrl();
  }

  private connect(): void {
    if (this.closed) return;
    const { logger } = this.options;
    const base = this.baseUrl();
    const url = `${base.replace(/\/+$/, '').replace(/^http/, 'ws')}/v1/hosts/${this.options.hostId}/stream`;
    const socket = new WebSocket(url, {
      headers: { authorization: this.options.authorization },
      handshakeTimeout: 10_000,
      maxPayload: MAX_MESSAGE_BYTES,
    });
    this.socket = socket;
    let alive = true;
    socket.on('open', () => {
      this.open = true;
      this.backoff.reset();
      logger.info('work stream connected');
      this.pingTimer = setInterval(() => {
        if (!alive) return socket.terminate();
        alive = false;
        socket.ping();
      }, this.options.pingMs ?? 30_000);
      this.pingTimer.unref();
      this.options.onOpen();
    });
    socket.on('pong', () => {
      alive = true;
    });
    socket.on('message', (data, isBinary) => {
      alive = true;
      if (!isBinary) this.deliver(data.toString());
    });
    socket.on('error', (error) => {
      logger.debug({ err: error }, 'work stream error');
    });
    socket.on('close', () => {
      const wasOpen = this.open;
      this.open = false;
      clearInterval(this.pingTimer);
      if (this.closed) return;
      if (!wasOpen) this.options.onUnreachable?.(base);
      const delay = this.backoff.next();
      const log = wasOpen || this.backoff.failures === 1 ? logger.warn : logger.debug;
      log.call(logger, { delay }, 'work stream closed; reconnecting');
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        this.connect();
      }, delay);
      this.reconnectTimer.unref();
    });
  }

  private deliver(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.options.logger.warn(
        { bytes: text.length },
        'ignoring a stream message that is not JSON',
      );
      return;
    }
    const parsed = AgentMessage.safeParse(json);
    if (!parsed.success) {
      this.options.logger.warn('ignoring a stream message outside the protocol');
      return;
    }
    this.options.onMessage(parsed.data);
  }
}
