/**
 * @module A Chromium page running the runtime's `BrowserSandbox` straight from `dist/`
 * (plain ES modules, no bundler), with a `runFromUrl` entry the tests call through
 * `page.evaluate`. Mounts: /runtime/ → dist, /suite/ → the WASI suite, /examples/ →
 * the repository's example modules.
 */
import path from 'node:path';
import type { RunSpec } from '../src/index.js';
import { type BrowserHarness, openBrowserPage } from './browser-harness.js';
import { distDir, repoRoot } from './runtime-dist.js';
import { suiteDir } from './wasi-testsuite.js';

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>anygrid runtime test page</title>
<script type="module">
import { BrowserSandbox } from '/runtime/browser/index.js';
const sandbox = new BrowserSandbox({ maxWorkers: 2 });
const fetchBytes = async (url) => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(url + ': ' + response.status);
  return new Uint8Array(await response.arrayBuffer());
};
window.runFromUrl = async (wasmUrl, spec, rootFiles, memoryBytes) => {
  const module = await sandbox.compile(await fetchBytes(wasmUrl), memoryBytes);
  if (rootFiles) {
    const files = {};
    for (const [rel, url] of Object.entries(rootFiles)) files[rel] = await fetchBytes(url);
    spec = { ...spec, dirs: { '/': files } };
  }
  const r = await sandbox.run(module, spec);
  const dirs = {};
  for (const [dir, files] of Object.entries(r.dirs)) {
    dirs[dir] = {};
    for (const [rel, bytes] of Object.entries(files)) dirs[dir][rel] = Array.from(bytes);
  }
  return { exitCode: r.exitCode, stdout: Array.from(r.stdout), stderr: Array.from(r.stderr), failure: r.failure ?? null, dirs };
};
window.sandboxReady = true;
</script>`;

/** A run's result as it comes back from the page (bytes as number arrays). */
export interface PageRunResult {
  readonly exitCode: number | null;
  readonly stdout: number[];
  readonly stderr: number[];
  readonly failure: { code: string; message: string } | null;
  readonly dirs: Record<string, Record<string, number[]>>;
}

/** A page with a BrowserSandbox, ready to run modules. */
export interface SandboxPage {
  readonly harness: BrowserHarness;
  /** Runs the module at `wasmUrl` (a served path) in a Web Worker; `rootFiles` maps relative paths to served URLs. */
  run(
    wasmUrl: string,
    spec: RunSpec,
    rootFiles?: Record<string, string>,
    memoryBytes?: number,
  ): Promise<PageRunResult>;
  close(): Promise<void>;
}

/** Opens Chromium on the sandbox page. */
export async function openSandboxPage(): Promise<SandboxPage> {
  const harness = await openBrowserPage({
    mounts: {
      '/runtime/': distDir,
      '/suite/': suiteDir,
      '/examples/': path.join(repoRoot, 'examples'),
    },
    pages: { '/index.html': PAGE },
  });
  await harness.page.waitForFunction(
    () => (globalThis as { sandboxReady?: boolean }).sandboxReady === true,
    undefined,
    { timeout: 20_000 },
  );
  return {
    harness,
    run: (wasmUrl, spec, rootFiles, memoryBytes) =>
      harness.page.evaluate(
        ([u, s, f, m]) =>
          (
            globalThis as unknown as { runFromUrl: (...a: unknown[]) => Promise<PageRunResult> }
          ).runFromUrl(u, s, f, m),
        [wasmUrl, spec, rootFiles, memoryBytes] as const,
      ),
    close: () => harness.close(),
  };
}
