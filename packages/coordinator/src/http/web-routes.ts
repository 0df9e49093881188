/**
 * @module
 * Serves the built web pages (`packages/web/dist`, made by Vite): one route per page,
 * `GET /<name>` answering `<name>.html`, and the bundles under `/assets/`, registered
 * once whichever page comes first. Asset names carry their content hash, so they are
 * cached for good; pages are not cached, so a new build shows at the next visit. Paths
 * come from a fixed directory listing, never from the request, so nothing outside
 * `dist/assets/` can be named.
 */

import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ErrorCode } from '@anygrid/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** The pages the coordinator serves from the web build, each at `/<name>`. */
export const WEB_PAGES: readonly string[] = ['volunteer'];

const installed = new WeakSet<FastifyInstance>();

/**
 * `GET /<page>` (and `/<page>/`) serving `<webDir>/<page>.html`, plus `/assets/*` from
 * `<webDir>/assets`. When the page was not built, the answer says how to build it.
 */
export function webPage(app: FastifyInstance, webDir: string, page: string): void {
  webAssets(app, webDir);
  const file = join(webDir, `${page}.html`);
  const handler = async (_request: unknown, reply: FastifyReply) => {
    const html = await readFile(file).catch(() => null);
    if (html === null) return notBuilt(reply, page);
    return reply
      .header('content-type', CONTENT_TYPES['.html'])
      .header('cache-control', 'no-cache')
      .send(html);
  };
  app.get(`/${page}`, handler);
  app.get(`/${page}/`, handler);
}

/** The answer for a page that was not built: what to run, as a 404 (never a 5xx). */
export function notBuilt(reply: FastifyReply, page: string) {
  return reply.status(404).send({
    error: {
      code: ErrorCode.ROUTE_NOT_FOUND,
      message: `The ${page} page is not built; run \`npm run build\` (or \`npm run build:web\`) and reload.`,
    },
  });
}

/** `GET /assets/*` from `<webDir>/assets`, once per server whichever page asks first. */
export function webAssets(app: FastifyInstance, webDir: string): void {
  if (installed.has(app)) return;
  installed.add(app);
  installAssets(app, join(webDir, 'assets'));
}

function installAssets(app: FastifyInstance, assetsDir: string): void {
  // The listing is read again when a name is not known yet (a rebuild while running).
  let names: Set<string> | undefined;
  const list = async () => new Set(await readdir(assetsDir).catch(() => [] as string[]));
  app.get('/assets/:name', async (request, reply) => {
    const { name } = request.params as { name: string };
    names ??= await list();
    if (!names.has(name)) names = await list();
    if (!names.has(name)) {
      return reply.status(404).send({
        error: { code: ErrorCode.ROUTE_NOT_FOUND, message: `No asset ${name}.` },
      });
    }
    const bytes = await readFile(join(assetsDir, name));
    return reply
      .header('content-type', CONTENT_TYPES[extname(name)] ?? 'application/octet-stream')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(bytes);
  });
}
