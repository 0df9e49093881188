/**
 * The official WASI preview1 conformance suite in Node, through NodeSandbox (worker
 * threads): every test passes except those in KNOWN_FAILURES, each with its reason.
 */

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSpec } from '../src/index.js';
import type { NodeSandbox } from '../src/node/index.js';
import { requireResource } from './require-resource.js';
import { distDir, ensureRuntimeBuilt } from './runtime-dist.js';
import {
  KNOWN_FAILURES,
  loadSuite,
  mismatch,
  readRoot,
  suiteAvailable,
  suiteDir,
} from './wasi-testsuite.js';

const available = requireResource({
  name: 'the WASI conformance suite',
  present: suiteAvailable(),
  missing: `not found at ${suiteDir}`,
});

describe.skipIf(!available)('WASI preview1 conformance in Node (NodeSandbox)', () => {
  const cases = available ? loadSuite() : [];
  const failures = new Map<string, string>();
  let sandbox: NodeSandbox;
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);

  beforeAll(async () => {
    ensureRuntimeBuilt();
    const { NodeSandbox } = await import(`${distDir}/node/index.js`);
    sandbox = new NodeSandbox({ maxWorkers: 2 });
  });
  afterAll(async () => {
    await sandbox?.close();
    const passed = cases.length - failures.size;
    console.log(`[runtime] WASI conformance, Node: ${passed}/${cases.length} passed`);
    for (const [id, why] of failures) console.log(`  failed ${id}: ${why}`);
  });

  it('finds the 72 preview1 programs', () => {
    expect(cases.length).toBe(72);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (id, test) => {
    const module = await sandbox.compile(
      new Uint8Array(fs.readFileSync(path.join(suiteDir, test.wasm))),
    );
    const spec: RunSpec = {
      program: path.basename(test.wasm),
      args: test.args,
      env: test.env,
      limits: { wallTimeMs: 20_000 },
      ...(test.root ? { dirs: { '/': readRoot(test.root) } } : {}),
    };
    const result = await sandbox.run(module, spec);
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
});
