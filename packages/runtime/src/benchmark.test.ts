import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distDir, ensureRuntimeBuilt } from '../test/runtime-dist.js';
import { BENCHMARK_OPS_PER_ROUND, benchmarkModule, runBenchmark } from './benchmark.js';
import type { NodeSandbox } from './node/index.js';

// Its workers run compiled JavaScript: the sandbox comes from dist.
let sandbox: NodeSandbox;
beforeAll(async () => {
  ensureRuntimeBuilt();
  const node = (await import(`${distDir}/node/index.js`)) as typeof import('./node/index.js');
  sandbox = new node.NodeSandbox({ maxWorkers: 1 });
});
afterAll(() => sandbox.close());

const examplesWasm = new URL('../../../examples/benchmark.wasm', import.meta.url);

describe('the standard benchmark', () => {
  it('carries exactly the bytes of examples/benchmark.wasm (run examples/build.sh benchmark after editing its source)', () => {
    expect(Buffer.from(benchmarkModule()).equals(readFileSync(examplesWasm))).toBe(true);
  });

  it('prints the same checksum for the same rounds on every run: its work is fixed', async () => {
    const module = await sandbox.compile(benchmarkModule());
    const outputs = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const result = await sandbox.run(module, { args: ['5'] });
      expect(result.exitCode).toBe(0);
      outputs.add(new TextDecoder().decode(result.stdout));
    }
    expect([...outputs]).toHaveLength(1);
    const other = await sandbox.run(module, { args: ['6'] });
    expect(new TextDecoder().decode(other.stdout)).not.toBe([...outputs][0]);
  });

  it('refuses a round count that is not a number', async () => {
    const module = await sandbox.compile(benchmarkModule());
    const result = await sandbox.run(module, { args: ['lots'] });
    expect(result.exitCode).toBe(2);
  });

  it('measures a positive speed, sized to about the target time, and much the same twice', async () => {
    const first = await runBenchmark(sandbox, { targetMs: 150 });
    const second = await runBenchmark(sandbox, { targetMs: 150 });
    for (const r of [first, second]) {
      expect(r.speed).toBeGreaterThan(0);
      expect(r.rounds).toBeGreaterThan(0);
      // ops/s is what was done over how long it took.
      expect(r.speed).toBeCloseTo((r.rounds * BENCHMARK_OPS_PER_ROUND * 1000) / r.durationMs, -3);
    }
    // Stable-ish: a loaded 2-core machine moves it, not by a factor of three.
    const ratio = first.speed / second.speed;
    expect(ratio).toBeGreaterThan(1 / 3);
    expect(ratio).toBeLessThan(3);
  });
});
