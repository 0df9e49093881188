/**
 * @module Headless Chromium for tests: a static file server on 127.0.0.1 (random port)
 * serving directories and inline pages, and a playwright-core page opened on it.
 *
 * Reusable by any package that needs to run code in a real browser: mount `dist/`
 * directories, add a small HTML page, evaluate in the page. Where Debian's chromium is
 * not installed, tests pass `CHROMIUM` to `requireResource`: skipped with the reason on
 * a laptop, failed under CI.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { Resource } from './require-resource.js';

/** Where Debian installs Chromium. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that keep headless Chromium quiet and offline. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** True when a Chromium binary is installed. */
export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM_PATH);
}

/** Chromium as a test resource, for `requireResource`. */
export const CHROMIUM: Resource = {
  name: 'Chromium',
  present: chromiumAvailable(),
  missing: `not found at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** What the server serves: URL prefixes ('/runtime/') mapped to directories, and inline pages by exact path. */
export interface StaticSite {
  readonly mounts?: Readonly<Record<string, string>>;
  readonly pages?: Readonly<Record<string, string>>;
}

/** A running static server. */
export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `site` on 127.0.0.1 at a random port. Paths never leave their mounted directory. */
export async function startStaticServer(site: StaticSite): Promise<StaticServer> {
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const inline = site.pages?.[pathname];
    if (inline !== undefined) {
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[path.extname(pathname)] ?? 'text/html; charset=utf-8',
      });
      res.end(inline);
      return;
    }
    for (const [prefix, dir] of Object.entries(site.mounts ?? {})) {
      if (!pathname.startsWith(prefix)) continue;
      const root = path.resolve(dir);
      const file = path.resolve(root, `.${pathname.slice(prefix.length - 1)}`);
      if (file !== root && !file.startsWith(root + path.sep)) break;
      fs.readFile(file, (error, data) => {
        if (error) {
          res.writeHead(404).end('not found');
          return;
        }
        res.writeHead(200, {
          'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
          'cache-control': 'no-store',
        });
        res.end(data);
      });
      return;
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A browser page on a static site. */
export interface BrowserHarness {
  readonly browser: Browser;
  readonly page: Page;
  readonly server: StaticServer;
  /** Console errors and uncaught page errors seen so far. */
  readonly errors: string[];
  close(): Promise<void>;
}

/** Serves `site`, launches headless Chromium and opens `startPath` (default '/index.html'). */
export async function openBrowserPage(
  site: StaticSite,
  startPath = '/index.html',
): Promise<BrowserHarness> {
  const server = await startStaticServer(site);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(`${server.url}${startPath}`);
  return {
    browser,
    page,
    server,
    errors,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}
