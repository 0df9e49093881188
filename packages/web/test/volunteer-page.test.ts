/**
 * The volunteer page as a provider, in Debian's Chromium driven by playwright-core,
 * against a real coordinator and a real Node agent (issue 13, acceptance 1, 2, 4, 5, 6):
 * redundancy 2 across a browser and a Node host; Pause, Resume and a hidden tab stop and
 * restart pulling; a closed tab hands its task back; an endless loop stops at its time
 * cap with `time_limit` and the page goes on; screenshots at desktop and phone size; the
 * first paint and the build's size.
 */

import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CoordinatorProcess,
  client,
  countPrimes,
  example,
  killAll,
  REPO,
  removeDir,
  startAgent,
  startCoordinator,
  stopProcess,
  waitFor,
} from '../../cli/test/harness.js';
import { allResults, decodeStdout, submitPrimes, waitForJob } from '../../cli/test/job-flow.js';
import { inspectStore } from '../../cli/test/store-inspect.js';
import { CHROMIUM } from '../../runtime/test/browser-harness.js';
import { requireResource } from '../../runtime/test/require-resource.js';
import {
  drained,
  ensureWebBuilt,
  gzippedBuildBytes,
  launchChromium,
  lowBattery,
  openVolunteer,
  setHidden,
  type VolunteerPage,
  WEB_DIR,
} from './volunteer-browser.js';

const available = requireResource(CHROMIUM);
const SCREENSHOTS = join(REPO, 'test-results', 'screenshots');

/** Ranges of `width` numbers from `start`, `count` of them. */
const ranges = (count: number, start: number, width: number): [number, number][] =>
  Array.from({ length: count }, (_, i) => [start + i * width, start + (i + 1) * width]);

describe.skipIf(!available)('the volunteer page as a provider (Chromium)', () => {
  let coord: CoordinatorProcess;
  let admin: ReturnType<typeof client>;
  let requester: ReturnType<typeof client>;
  let browser: Browser;
  const pages: VolunteerPage[] = [];
  const open = async (options: Parameters<typeof openVolunteer>[2] = {}) => {
    const p = await openVolunteer(browser, coord.url, options);
    pages.push(p);
    return p;
  };

  const hostsOfValid = (jobId: number) => {
    const store = inspectStore(coord.dataDir);
    try {
      return store.hostsOfValidReplicas(jobId);
    } finally {
      store.close();
    }
  };

  beforeAll(async () => {
    ensureWebBuilt();
    coord = await startCoordinator();
    admin = client(coord.url, coord.adminToken);
    requester = client(coord.url, await admin.token('requester'));
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const p of pages) await p.close().catch(() => {});
    await browser?.close();
    await killAll();
    if (coord) removeDir(coord.dataDir);
  });

  it('runs a redundancy-2 job with a Node agent: outputs agree and validate, each task on a browser-wasm host and a Node host', async () => {
    const agent = startAgent(coord.url, await admin.token('provider'), {
      slots: 1,
      name: 'node-agent',
    });
    await waitFor('the agent to join', async () => agent.output().includes('joined'));
    const volunteer = await open({ autostart: true });
    await waitFor('the page to register', async () => (await volunteer.view()).hostId);

    const rs = ranges(8, 1_000_000, 100_000);
    const job = await submitPrimes(requester, rs, { redundancy: 2 });
    const final = await waitForJob(requester, job.id, 150_000);
    expect(final.state).toBe('completed');
    expect(final.progress).toMatchObject({ total: 8, valid: 8, failed: 0 });
    for (const r of await allResults(requester, job.id)) {
      const [a, b] = rs[r.index] as [number, number];
      expect(decodeStdout(r)).toBe(`${countPrimes(a, b)}\n`);
    }

    const store = inspectStore(coord.dataDir);
    const rows = store.query<{ task_id: number; platform: string }>(
      `SELECT r.task_id, h.platform FROM replicas r JOIN hosts h ON h.id = r.host_id
       WHERE r.job_id = ? AND r.validation = 'valid' ORDER BY r.task_id`,
      job.id,
    );
    store.close();
    const platforms = new Map<number, string[]>();
    for (const row of rows)
      platforms.set(row.task_id, [...(platforms.get(row.task_id) ?? []), row.platform]);
    expect(platforms.size).toBe(8);
    for (const kinds of platforms.values()) {
      expect(kinds).toHaveLength(2);
      expect(kinds).toContain('browser-wasm');
      expect(kinds.filter((k) => k !== 'browser-wasm')).toHaveLength(1);
    }
    const view = await volunteer.view();
    expect(view.done).toBe(8);
    expect(view.computeMs).toBeGreaterThan(0);
    // What the page told the coordinator about itself.
    const hosts = await admin.get('/v1/hosts');
    const mine = hosts.body.hosts.find((h: { id: number }) => h.id === view.hostId);
    expect(mine).toMatchObject({ platform: 'browser-wasm' });
    expect(volunteer.errors).toEqual([]);

    await stopProcess(agent.proc, 'SIGTERM');
    await volunteer.close();
  });

  it('stops pulling within a task on Pause and on a hidden tab, and goes on after Resume and when shown', async () => {
    const volunteer = await open({ autostart: true });
    const job = await submitPrimes(requester, ranges(30, 20_000_000, 300_000));
    await waitFor('two tasks done', async () => (await volunteer.view()).done >= 2, 90_000);

    // Pause from the keyboard.
    await volunteer.page.getByRole('button', { name: 'Pause' }).press('Enter');
    const atPause = await volunteer.view();
    expect(atPause.state).toBe('paused');
    await waitFor('running tasks to finish', () => drained(volunteer), 30_000);
    const afterPause = (await volunteer.view()).done;
    // Only what was already running (or reporting) when paused finished.
    expect(afterPause - atPause.done).toBeLessThanOrEqual(
      atPause.running.length + atPause.reporting,
    );
    await new Promise((r) => setTimeout(r, 2000));
    expect((await volunteer.view()).done).toBe(afterPause);
    expect(await volunteer.page.locator('#state').textContent()).toMatch(/Paused \(by you\)/);

    await volunteer.page.getByRole('button', { name: 'Resume' }).press('Space');
    await waitFor(
      'work after Resume',
      async () => (await volunteer.view()).done > afterPause,
      30_000,
    );

    await setHidden(volunteer.page, true);
    expect((await volunteer.view()).pausedFor).toContain('hidden');
    await waitFor('running tasks to finish', () => drained(volunteer), 30_000);
    const hiddenDone = (await volunteer.view()).done;
    await new Promise((r) => setTimeout(r, 2000));
    expect((await volunteer.view()).done).toBe(hiddenDone);
    expect(await volunteer.page.locator('#state').textContent()).toMatch(/tab hidden/);

    await setHidden(volunteer.page, false);
    await waitFor(
      'work once shown',
      async () => (await volunteer.view()).done > hiddenDone,
      30_000,
    ).catch(async (error) => {
      const progress = (await requester.get(`/v1/jobs/${job.id}`)).body.progress;
      throw new Error(
        `${error} — page ${JSON.stringify(await volunteer.view())}, job ${JSON.stringify(progress)}`,
      );
    });
    const final = await waitForJob(requester, job.id, 150_000);
    expect(final.progress).toMatchObject({ total: 30, valid: 30 });
    expect(volunteer.errors).toEqual([]);
    await volunteer.close();
  });

  it('hands back the task of a closed tab, and the job completes on another page', async () => {
    const first = await open({ autostart: true });
    const job = await submitPrimes(requester, ranges(2, 50_000_000, 3_000_000));
    const running = await waitFor(
      'the page to run a task',
      async () => (await first.view()).running[0],
      60_000,
    );
    await first.page.close();
    const store = inspectStore(coord.dataDir);
    try {
      const handedBack = await waitFor(
        'the closed tab to hand its replica back',
        async () =>
          store.query<{ state: string }>(
            'SELECT state FROM replicas WHERE id = ?',
            running.replicaId,
          )[0]?.state === 'abandoned',
        20_000,
      );
      expect(handedBack).toBe(true);
    } finally {
      store.close();
    }
    const second = await open({ autostart: true });
    const final = await waitForJob(requester, job.id, 150_000);
    expect(final.progress).toMatchObject({ total: 2, valid: 2, failed: 0 });
    expect((await second.view()).done).toBeGreaterThanOrEqual(1);
  });

  it('stops an endless loop at its time cap with time_limit, and runs the next task', async () => {
    const volunteer = pages[pages.length - 1] as VolunteerPage;
    const loop = await requester.upload(example('loop.wasm'));
    const r = await requester.post('/v1/jobs', {
      name: 'spin',
      module: loop,
      policy: { limits: { wallTimeMs: 1500 } },
      tasks: [{ args: [] }],
    });
    expect(r.status).toBe(201);
    const failedBefore = (await volunteer.view()).failed;
    await waitFor(
      'the loop to fail',
      async () => (await volunteer.view()).failed > failedBefore,
      60_000,
    );
    const store = inspectStore(coord.dataDir);
    const rows = store.query<{ error: string; platform: string }>(
      `SELECT r.error, h.platform FROM replicas r JOIN hosts h ON h.id = r.host_id
       WHERE r.job_id = ? AND r.error IS NOT NULL`,
      r.body.id,
    );
    store.close();
    expect(rows[0]?.platform).toBe('browser-wasm');
    expect(rows[0]?.error).toMatch(/time_limit/);

    const next = await submitPrimes(requester, ranges(1, 0, 100_000));
    const final = await waitForJob(requester, next.id, 60_000);
    expect(final.progress).toMatchObject({ total: 1, valid: 1 });
    const [result] = await allResults(requester, next.id);
    expect(decodeStdout(result)).toBe(`${countPrimes(0, 100_000)}\n`);
    expect(volunteer.errors).toEqual([]);
  });

  it('saves screenshots at desktop and phone size, nothing wider than the phone', async () => {
    const volunteer = pages[pages.length - 1] as VolunteerPage;
    // A task running, so the list of what runs now shows.
    await submitPrimes(requester, ranges(1, 60_000_000, 3_000_000));
    await waitFor('a task to run', async () => (await volunteer.view()).running.length > 0, 60_000);
    await volunteer.page.waitForFunction(() => !document.querySelector('#running .muted'));
    mkdirSync(SCREENSHOTS, { recursive: true });
    await volunteer.page.setViewportSize({ width: 1280, height: 800 });
    const desktop = join(SCREENSHOTS, 'volunteer-desktop.png');
    await volunteer.page.screenshot({ path: desktop, fullPage: true });
    await volunteer.page.setViewportSize({ width: 390, height: 844 });
    const phone = join(SCREENSHOTS, 'volunteer-phone.png');
    await volunteer.page.screenshot({ path: phone, fullPage: true });
    expect(statSync(desktop).size).toBeGreaterThan(5000);
    expect(statSync(phone).size).toBeGreaterThan(5000);
    const width = await volunteer.page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
  });

  it('paints first within a second from the coordinator; its controls are labelled and reachable by Tab; the build is under 300 KB gzipped', async () => {
    const volunteer = await open();
    await volunteer.page.waitForLoadState('load');
    const paint = await volunteer.page.evaluate(
      () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
    );
    console.log(`[web] volunteer page first contentful paint: ${paint?.toFixed(0)} ms`);
    expect(paint).not.toBeNull();
    expect(paint as number).toBeLessThan(1000);

    for (const label of [
      'Threads (tasks at once)',
      'Pause while this tab is hidden',
      'Pause when the battery is low and not charging',
      'Provider token of your account',
    ]) {
      await expect(volunteer.page.getByLabel(label).count()).resolves.toBe(1);
    }
    await volunteer.page.getByRole('button', { name: 'Start' }).waitFor();
    await volunteer.page.keyboard.press('Tab');
    expect(await volunteer.page.evaluate(() => document.activeElement?.id)).toBe('start');

    const bytes = gzippedBuildBytes(join(WEB_DIR, 'dist'));
    console.log(`[web] built assets: ${(bytes / 1024).toFixed(1)} KB gzipped`);
    expect(bytes).toBeLessThan(300 * 1024);
  });

  it('pauses on a low battery not charging and resumes on charging; Link moves the host to an account', async () => {
    // Alone, so the tasks below can only go to this page.
    for (const p of pages.splice(0)) await p.close();
    const volunteer = await open({ autostart: true, init: lowBattery });
    await waitFor('the page to register', async () => (await volunteer.view()).hostId);
    expect((await volunteer.view()).pausedFor).toContain('battery');
    const job = await submitPrimes(requester, ranges(2, 0, 50_000));
    await new Promise((r) => setTimeout(r, 2000));
    expect((await volunteer.view()).done).toBe(0);
    expect(await volunteer.page.locator('#state').textContent()).toMatch(/battery low/);

    await volunteer.page.evaluate(() => {
      const battery = (globalThis as any).testBattery;
      battery.charging = true;
      battery.dispatchEvent(new Event('chargingchange'));
    });
    await waitForJob(requester, job.id, 60_000);
    const hostId = (await volunteer.view()).hostId;
    expect(hostsOfValid(job.id)).toEqual([hostId]);

    const alice = await admin.token('provider', 'alice');
    await volunteer.page.getByLabel('Provider token of your account').fill(alice);
    await volunteer.page.getByRole('button', { name: 'Link' }).click();
    await volunteer.page.locator('#link-result', { hasText: 'Linked' }).waitFor();
    const hers = await client(coord.url, alice).get('/v1/hosts');
    expect(hers.body.hosts.map((h: { id: number }) => h.id)).toEqual([hostId]);
    // It goes on working, for alice now.
    const next = await submitPrimes(requester, ranges(1, 0, 50_000));
    await waitForJob(requester, next.id, 60_000);
    expect(hostsOfValid(next.id)).toEqual([hostId]);
    expect((await volunteer.view()).hostId).toBe(hostId);
    expect(volunteer.errors).toEqual([]);
  });
});
