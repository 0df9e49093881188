/**
 * @module
 * Serves the dashboard's built page (packages/web, `vite build`): `/dashboard` and every
 * path under it answer `dashboard.html`, so links like `/dashboard/jobs/42` load the page
 * that then shows that job; its assets come from `/assets/` (web-routes.ts). The page
 * is revalidated and carries a content security policy.
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { notBuilt, webAssets } from './web-routes.js';

/**
 * The page runs only its own scripts and talks only to its coordinator: a job name or a
 * provider's error message that slipped past the page's text-only rendering could still
 * not load or send anything. Inline styles are allowed: the progress bars and uPlot set
 * widths as style attributes.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function dashboardPage(app: FastifyInstance, webDir: string): void {
  const page = async (reply: FastifyReply) => {
    const html = await readFile(join(webDir, 'dashboard.html')).catch(() => null);
    if (!html) return notBuilt(reply, 'dashboard');
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .send(html);
  };
  app.get('/dashboard', async (_request, reply) => page(reply));
  app.get('/dashboard/*', async (_request, reply) => page(reply));
  webAssets(app, webDir);
}
