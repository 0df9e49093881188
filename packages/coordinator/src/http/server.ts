/**
 * @module
 * Builds the Fastify app: logging, auth, routes, the error handler and the agent
 * socket. It receives ready services and holds no state of its own.
 */

import { AnygridError, type CoordinatorStatus, ErrorCode } from '@anygrid/protocol';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { BlobStore } from '../blobs/blob-store.js';
import type { Accounts } from '../services/accounts.js';
import { Credit } from '../services/credit.js';
import type { Dashboard } from '../services/dashboard.js';
import type { Hosts } from '../services/hosts.js';
import type { Hub } from '../services/hub.js';
import type { Jobs } from '../services/jobs.js';
import type { Metrics } from '../services/metrics.js';
import { Money } from '../services/money.js';
import type { Providers } from '../services/providers.js';
import type { Quotes } from '../services/quotes.js';
import type { Volunteers } from '../services/volunteers.js';
import type { Store } from '../store/store.js';
import { adminRoutes } from './admin-routes.js';
import { installAgentSocket } from './agent-socket.js';
import { installAuth } from './auth.js';
import { blobRoutes } from './blob-routes.js';
import { creditRoutes } from './credit-routes.js';
import { dashboardPage } from './dashboard-page.js';
import { dashboardRoutes } from './dashboard-routes.js';
import { sendError } from './error-response.js';
import { hostRoutes } from './host-routes.js';
import { jobEventRoutes } from './job-events.js';
import { moneyRoutes } from './money-routes.js';
import { buildOpenApi } from './openapi.js';
import { providerRoutes } from './provider-routes.js';
import { requesterRoutes } from './requester-routes.js';
import { volunteerRoutes } from './volunteer-routes.js';
import { WEB_PAGES, webPage } from './web-routes.js';

/** Bodies of ordinary JSON requests; job, report and blob routes raise their own. */
const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface ServerDeps {
  readonly logger: Logger;
  readonly store: Store;
  readonly blobs: BlobStore;
  readonly hub: Hub;
  readonly accounts: Accounts;
  readonly jobs: Jobs;
  readonly quotes: Quotes;
  readonly providers: Providers;
  readonly hosts: Hosts;
  readonly metrics: Metrics;
  readonly version: string;
  readonly heartbeatMs: number;
  readonly dashboard: Dashboard;
  readonly volunteers: Volunteers;
  /** The built web pages (packages/web/dist); absent: no pages are served. */
  readonly webDir?: string;
  /** This coordinator among those sharing the store, for the health route. */
  readonly coordinatorStatus?: () => CoordinatorStatus;
}

export function buildServer(deps: ServerDeps): { app: FastifyInstance; closeSockets: () => void } {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Per-request lines would dominate the log at thousands of requests a second.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Unknown JSON keys are rejected by our schemas, not silently dropped by Fastify.
    return503OnClosing: true,
    forceCloseConnections: true,
  });
  // JSON bodies only (and raw bytes for blobs): a text/plain body is a client mistake.
  app.removeContentTypeParser('text/plain');
  // Refuse a declared oversize body before reading it, and answer without closing the
  // connection: Node then discards the rest of the body, so the client reads our 413
  // instead of a broken pipe halfway through its upload.
  app.addHook('onRequest', async (request) => {
    const declared = Number(request.headers['content-length']);
    const limit = request.routeOptions.bodyLimit ?? DEFAULT_BODY_LIMIT;
    if (declared > limit) {
      throw new AnygridError(
        ErrorCode.PAYLOAD_TOO_LARGE,
        `The body has ${declared} bytes; this endpoint accepts at most ${limit}.`,
        {
          limit,
        },
      );
    }
  });
  installAuth(app, deps.accounts);
  app.setErrorHandler((err, request, reply) => sendError(err, request, reply));
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: {
        code: ErrorCode.ROUTE_NOT_FOUND,
        message: `No route ${request.method} ${request.url}; see /v1/openapi.json.`,
      },
    }),
  );
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.http.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
  });

  const openapi = buildOpenApi(deps.version);
  app.get('/v1/openapi.json', async () => openapi);
  adminRoutes(app, { ...deps, startedAt: Date.now() });
  blobRoutes(app, deps.blobs, deps.metrics, deps.providers);
  requesterRoutes(app, deps.jobs, deps.quotes);
  jobEventRoutes(app, deps.jobs, deps.hub);
  providerRoutes(app, deps.providers, deps.heartbeatMs);
  hostRoutes(app, deps.hosts);
  moneyRoutes(app, new Money(deps.store));
  creditRoutes(app, new Credit(deps.store));
  dashboardRoutes(app, deps.dashboard, deps.hub);
  volunteerRoutes(app, deps.volunteers);
  if (deps.webDir) {
    for (const page of WEB_PAGES) webPage(app, deps.webDir, page);
    dashboardPage(app, deps.webDir);
  }
  const closeSockets = installAgentSocket(app, deps);
  return { app, closeSockets };
}
