/**
 * The repository's C example modules (examples/*.wasm, built with clang for WASI) in
 * both sandboxes: the same task gives the same bytes in Node and in a Chromium Web
 * Worker, and the misbehaving examples are contained in both.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult, RunSpec } from '../src/index.js';
import type { NodeSandbox } from '../src/node/index.js';
import { CHROMIUM } from './browser-harness.js';
import { requireResource } from './require-resource.js';
import { distDir, ensureRuntimeBuilt, repoRoot } from './runtime-dist.js';
import { openSandboxPage, type SandboxPage } from './sandbox-page.js';

const examplesDir = path.join(repoRoot, 'examples');
const NEEDED = [
  'prime.wasm',
  'passwd.wasm',
  'membomb.wasm',
  'loop.wasm',
  'bigout.wasm',
  'unused-imports.wasm',
  'mandelbrot.wasm',
  'memkernel.wasm',
];
const absent = NEEDED.filter((f) => !fs.existsSync(path.join(examplesDir, f)));
const present = requireResource({
  name: 'the example modules',
  present: absent.length === 0,
  missing: `${absent.join(', ')} not in ${examplesDir} (npm run build:examples)`,
});
// Checked only where the examples are, so a missing examples/ is reported once.
const inChromium = present && requireResource(CHROMIUM);

const MIB = 1024 * 1024;
const decode = (b: Uint8Array | number[]) =>
  new TextDecoder().decode(b instanceof Uint8Array ? b : Uint8Array.from(b));
const bytesOf = (name: string) => new Uint8Array(fs.readFileSync(path.join(examplesDir, name)));

describe.skipIf(!present)('example modules', () => {
  let sandbox: NodeSandbox;
  const run = async (name: string, spec: RunSpec, memoryBytes?: number): Promise<RunResult> =>
    sandbox.run(await sandbox.compile(bytesOf(name), memoryBytes), spec);

  beforeAll(async () => {
    ensureRuntimeBuilt();
    const { NodeSandbox } = await import(`${distDir}/node/index.js`);
    sandbox = new NodeSandbox({ maxWorkers: 2 });
  });
  afterAll(() => sandbox?.close());

  describe('in Node', () => {
    it('counts primes', async () => {
      const result = await run('prime.wasm', { args: ['0', '100000'] });
      expect(result.failure).toBeUndefined();
      expect(decode(result.stdout)).toBe('9592\n');
    });

    it('runs the memory kernel (small arrays) to the checksums the native build prints', async () => {
      const result = await run('memkernel.wasm', { args: ['1', '1', '2', '1000'] });
      expect(result.failure).toBeUndefined();
      expect(decode(result.stdout)).toBe(
        'triad 43690 doubles x 2 passes: 4.847500e+03\nchase 262144 entries x 1000 steps: 00000000079b97a1\n',
      );
    });

    it('lets libc find a preopen given as "/data/" by absolute path, keying the result as given', async () => {
      const args = ['-2', '-1.5', '1', '1.5', '8', '8', '10', '/data/tile.pgm'];
      const result = await run('mandelbrot.wasm', { args, dirs: { '/data/': {} } });
      expect(result.failure).toBeUndefined();
      expect(result.dirs['/data/']?.['tile.pgm']?.length).toBeGreaterThan(64);
    });

    it('cannot read /etc/passwd, with or without a preopened directory', async () => {
      for (const dirs of [undefined, { '/': { 'in.txt': new Uint8Array([1]) } }]) {
        const result = await run('passwd.wasm', dirs ? { dirs } : {});
        expect(result.exitCode).toBe(1);
        expect(decode(result.stdout)).not.toContain('root:');
        expect(decode(result.stdout).match(/denied: /g)?.length).toBe(2);
      }
    });

    it('reports membomb as memory_limit, near the cap', async () => {
      const result = await run('membomb.wasm', {}, 32 * MIB);
      expect(result.failure?.code).toBe('memory_limit');
      const mib = Number(/allocated (\d+) MiB/.exec(decode(result.stderr))?.[1]);
      expect(mib).toBeGreaterThan(24);
      expect(mib).toBeLessThan(32);
    });

    it('stops bigout at the output cap', async () => {
      const result = await run('bigout.wasm', { limits: { outputBytes: 4 * MIB } });
      expect(result.failure?.code).toBe('output_limit');
      expect(result.stdout.length).toBeLessThanOrEqual(4 * MIB);
    });

    it('runs a module importing sock_accept, sock_shutdown and path_link', async () => {
      const result = await run('unused-imports.wasm', {});
      expect(result.failure).toBeUndefined();
      expect(decode(result.stdout)).toBe('ok\n');
    });

    it('writes mandelbrot output into the preopened directory', async () => {
      const result = await run('mandelbrot.wasm', {
        args: ['-2', '-1.5', '1', '1.5', '32', '16', '50', 'tile.pgm'],
        dirs: { '/': {} },
      });
      expect(result.failure).toBeUndefined();
      const tile = result.dirs['/']?.['tile.pgm'];
      expect(decode(tile?.subarray(0, 2) ?? new Uint8Array())).toBe('P5');
      expect(tile?.length).toBeGreaterThan(32 * 16);
    });
  });

  describe.skipIf(!inChromium)('in Chromium, against Node', () => {
    let page: SandboxPage;
    beforeAll(async () => {
      page = await openSandboxPage();
    });
    afterAll(() => page?.close());

    it('gives the same prime output bytes in a Web Worker as in a Node worker', async () => {
      const spec = { args: ['1000', '200000'] };
      const inNode = await run('prime.wasm', spec);
      const inBrowser = await page.run('/examples/prime.wasm', spec);
      expect(inBrowser.failure).toBeNull();
      expect(inBrowser.exitCode).toBe(0);
      expect(Uint8Array.from(inBrowser.stdout)).toEqual(inNode.stdout);
      expect(decode(inNode.stdout)).toMatch(/^\d+\n$/);
    });

    it('gives the same mandelbrot tile bytes in both', async () => {
      const spec = {
        args: ['-2', '-1.5', '1', '1.5', '48', '32', '200', 'tile.pgm'],
        dirs: { '/': {} },
      };
      const inNode = await run('mandelbrot.wasm', spec);
      const inBrowser = await page.run('/examples/mandelbrot.wasm', spec);
      expect(Uint8Array.from(inBrowser.dirs['/']?.['tile.pgm'] ?? [])).toEqual(
        inNode.dirs['/']?.['tile.pgm'],
      );
    });

    it('cannot read /etc/passwd in the browser either', async () => {
      const result = await page.run('/examples/passwd.wasm', {});
      expect(result.exitCode).toBe(1);
      expect(decode(result.stdout)).not.toContain('root:');
    });

    it('stops loop.wasm with time_limit and membomb.wasm with memory_limit, then keeps working', async () => {
      const loop = await page.run('/examples/loop.wasm', { limits: { wallTimeMs: 500 } });
      expect(loop.failure?.code).toBe('time_limit');
      const bomb = await page.run('/examples/membomb.wasm', {}, undefined, 32 * MIB);
      expect(bomb.failure?.code).toBe('memory_limit');
      const prime = await page.run('/examples/prime.wasm', { args: ['0', '100'] });
      expect(decode(prime.stdout)).toBe('25\n');
    });
  });
});
