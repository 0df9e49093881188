/**
 * @module
 * The push half of "pull with push": a provider keeps a WebSocket open at
 * `/v1/hosts/{id}/stream` and is told at once when work is waiting, so its next pull
 * happens within one round trip instead of a poll interval. The socket carries hints
 * only; all state still moves through the pull routes.
 */

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import type { Accounts } from '../services/accounts.js';
import type { Hub } from '../services/hub.js';
import type { Providers } from '../services/providers.js';
import { bearerToken } from './auth.js';

const PATH = /^\/v1\/hosts\/(\d+)\/stream(?:\?.*)?$/;
const PING_MS = 30_000;

export function installAgentSocket(
  app: FastifyInstance,
  deps: { accounts: Accounts; providers: Providers; hub: Hub },
): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

  const refuse = (socket: Duplex, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  const onUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const m = PATH.exec(req.url ?? '');
    if (!m) return refuse(socket, 404, 'Not Found');
    const hostId = Number(m[1]);
    // Browsers cannot set headers on a WebSocket, so a token may come as ?token=.
    const url = new URL(req.url ?? '/', 'http://localhost');
    const token = bearerToken(req.headers.authorization) ?? url.searchParams.get('token');
    const principal = token ? await deps.accounts.authenticate(token) : null;
    if (principal?.role !== 'provider') return refuse(socket, 401, 'Unauthorized');
    try {
      await deps.providers.requireHost(principal, hostId);
    } catch {
      return refuse(socket, 403, 'Forbidden');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const remove = deps.hub.addAgent(hostId, { send: (msg) => ws.send(msg) });
      let alive = true;
      ws.on('pong', () => {
        alive = true;
      });
      const ping = setInterval(() => {
        if (!alive) return ws.terminate();
        alive = false;
        ws.ping();
      }, PING_MS);
      ws.on('close', () => {
        clearInterval(ping);
        remove();
      });
      ws.on('error', () => ws.terminate());
      ws.send(JSON.stringify({ type: 'work' }));
    });
  };

  const listener = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    onUpgrade(req, socket, head).catch((err) => {
      app.log.error({ err }, 'websocket upgrade failed');
      refuse(socket, 500, 'Internal Server Error');
    });
  };
  app.server.on('upgrade', listener);
  return () => {
    app.server.off('upgrade', listener);
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  };
}
