/**
 * The official WASI preview1 conformance suite in headless Chromium, through
 * BrowserSandbox (module Web Workers loaded from dist/): every test passes except
 * those in KNOWN_FAILURES, each with its reason.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM } from './browser-harness.js';
import { requireResource } from './require-resource.js';
import { ensureRuntimeBuilt } from './runtime-dist.js';
import { openSandboxPage, type SandboxPage } from './sandbox-page.js';
import {
  KNOWN_FAILURES,
  loadSuite,
  mismatch,
  readRoot,
  suiteAvailable,
  suiteDir,
} from './wasi-testsuite.js';

const available =
  requireResource({
    name: 'the WASI conformance suite',
    present: suiteAvailable(),
    missing: `not found at ${suiteDir}`,
  }) && requireResource(CHROMIUM);

describe.skipIf(!available)('WASI preview1 conformance in Chromium (BrowserSandbox)', () => {
  const cases = available ? loadSuite() : [];
  const failures = new Map<string, string>();
  let page: SandboxPage;
  const decode = (b: number[]) => new TextDecoder().decode(Uint8Array.from(b));

  beforeAll(async () => {
    ensureRuntimeBuilt();
    page = await openSandboxPage();
  });
  afterAll(async () => {
    await page?.close();
    const passed = cases.length - failures.size;
    console.log(`[runtime] WASI conformance, Chromium: ${passed}/${cases.length} passed`);
    for (const [id, why] of failures) console.log(`  failed ${id}: ${why}`);
  });

  it('finds the 72 preview1 programs', () => {
    expect(cases.length).toBe(72);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (id, test) => {
    const rootFiles = test.root
      ? Object.fromEntries(
          Object.keys(readRoot(test.root)).map((rel) => [rel, `/suite/${test.root}/${rel}`]),
        )
      : undefined;
    const spec = {
      program: path.basename(test.wasm),
      args: test.args,
      env: test.env,
      limits: { wallTimeMs: 20_000 },
    };
    const result = await page.run(`/suite/${test.wasm}`, spec, rootFiles);
    const why = mismatch(test, {
      exitCode: result.exitCode,
      stdout: decode(result.stdout),
      stderr: decode(result.stderr),
    });
    if (why) failures.set(id, why);
    if (id in KNOWN_FAILURES)
      expect(why, `${id} is listed as failing (${KNOWN_FAILURES[id]}) but passed`).toBeDefined();
    else expect(why).toBeUndefined();
  });

  it('logs no page errors', () => {
    expect(page.harness.errors).toEqual([]);
  });
});
