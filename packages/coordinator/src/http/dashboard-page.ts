/**
 * @module
 * Serves the dashboard's built page (packages/web, `vite build`): `/dashboard` and every
 * path under it answer `dashboard.html`, so links like `/dashboard/jobs/42` load the page
 * that then shows that job; `/assets/NAME` answers a built asset. Names are checked
 * against one pattern and looked up in the assets folder alone: nothing in a URL
 * becomes a path outside it. Asset names carry their content hash, so they are cached
 * for good; the page itself is revalidated.
 */

import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ErrorCode } from '@anygrid/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * The page runs only its own scripts and talks only to its coordinator: a job name or a
 * provider's error message that slipped past the page's text-only rendering could still
 * not load or send anything. Inline styles are allowed: the progress bars and uPlot set
 * widths as style attributes.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** A built asset's name: one path segment, no dot at its start. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

export function dashboardPage(app: FastifyInstance, webDir: string): void {
  const page = async (reply: FastifyReply) => {
    const html = await readFile(join(webDir, 'dashboard.html')).catch(() => null);
    if (!html) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send(
          `The dashboard is not built (no ${join(webDir, 'dashboard.html')}): run \`npm run build -w @anygrid/web\`, then reload.`,
        );
    }
    return reply
      .type(TYPES['.html'] as string)
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .send(html);
  };
  app.get('/dashboard', async (_request, reply) => page(reply));
  app.get('/dashboard/*', async (_request, reply) => page(reply));

  app.get('/assets/:name', async (request, reply) => {
    const { name } = request.params as { name: string };
    const type = TYPES[extname(name)];
    const bytes =
      ASSET_NAME.test(name) && type
        ? await readFile(join(webDir, 'assets', name)).catch(() => null)
        : null;
    if (!bytes || !type) {
      return reply.status(404).send({
        error: {
          code: ErrorCode.ROUTE_NOT_FOUND,
          message: `No asset ${name}; rebuild the web pages.`,
        },
      });
    }
    return reply
      .type(type)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(bytes);
  });
}
