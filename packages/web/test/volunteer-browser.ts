/**
 * @module
 * The volunteer page in headless Chromium for the web tests: one browser per file, a
 * fresh context (own localStorage: a new anonymous identity) per page, and the page's
 * own view of its provider (`globalThis.anygridVolunteer.view()`).
 */

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../runtime/test/browser-harness.js';

export interface PageView {
  state: 'stopped' | 'starting' | 'running' | 'paused';
  pausedFor: string[];
  done: number;
  failed: number;
  computeMs: number;
  running: { replicaId: number; jobId: number; taskId: number; program: string }[];
  reporting: number;
  hostId?: number;
  lastError?: string;
}

export interface VolunteerPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Page errors and console errors seen so far. */
  readonly errors: string[];
  view(): Promise<PageView>;
  close(): Promise<void>;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Opens `url/volunteer` (with `?autostart=1` when asked) in a new context. */
export async function openVolunteer(
  browser: Browser,
  url: string,
  options: {
    autostart?: boolean;
    viewport?: { width: number; height: number };
    /** Runs in the page before its own scripts (to stand in for a browser API). */
    init?: () => void;
  } = {},
): Promise<VolunteerPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
  });
  if (options.init) await context.addInitScript(options.init);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(`${url}/volunteer${options.autostart ? '?autostart=1' : ''}`);
  // Booted: the identity is there and the provider made.
  await page.waitForFunction(
    () =>
      (
        globalThis as unknown as { anygridVolunteer?: { view(): unknown } }
      ).anygridVolunteer?.view() !== undefined,
    undefined,
    { timeout: 20_000 },
  );
  return {
    context,
    page,
    errors,
    view: () =>
      page.evaluate(() =>
        (
          globalThis as unknown as { anygridVolunteer: { view(): PageView } }
        ).anygridVolunteer.view(),
      ),
    close: () => context.close(),
  };
}

/** Makes the page believe its tab is hidden (or visible again), as a switched-away tab does. */
export async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h) => {
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => (h ? 'hidden' : 'visible'),
    });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

/**
 * A battery for the Battery Status API at 10 %, not charging: `globalThis.testBattery`
 * changes it (set `charging`, dispatch `chargingchange`). Runs in the page.
 */
export function lowBattery(): void {
  const battery = Object.assign(new EventTarget(), { level: 0.1, charging: false });
  Object.defineProperty(navigator, 'getBattery', { value: () => Promise.resolve(battery) });
  (globalThis as { testBattery?: unknown }).testBattery = battery;
}

/** True once nothing runs and every finished task's report was answered. */
export async function drained(volunteer: VolunteerPage): Promise<boolean> {
  const v = await volunteer.view();
  return v.running.length === 0 && v.reporting === 0;
}

/** Gzipped bytes of every file the web build wrote (source maps aside). */
export function gzippedBuildBytes(distDir: string): number {
  let total = 0;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.endsWith('.map'))
        total += gzipSync(readFileSync(path), { level: 9 }).byteLength;
    }
  };
  walk(distDir);
  return total;
}

/** packages/web */
export const WEB_DIR = join(import.meta.dirname, '..');

/** Builds the pages when `dist/` lacks them (`npm test` builds them first, in `pretest`). */
export function ensureWebBuilt(): void {
  execFileSync(process.execPath, [join(WEB_DIR, 'scripts/build.mjs'), '--if-missing'], {
    stdio: 'inherit',
  });
}
