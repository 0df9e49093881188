/**
 * Builds the web pages with Vite (one multi-page build: volunteer.html, dashboard.html)
 * into dist/, then prints the gzipped size of every asset and fails when they pass the
 * budget together: the pages must load fast on a phone. `--if-missing` builds only when
 * a page is not built yet; `--if-stale` only when a source changed since (`npm run build`).
 */

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

/** Every asset of both pages, gzipped, in bytes. */
export const BUDGET_GZIP_BYTES = 300 * 1024;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist');
const pages = ['volunteer', 'dashboard'];

const built = pages.every((p) => existsSync(join(outDir, `${p}.html`)));
if (process.argv.includes('--if-missing') && built) process.exit(0);
if (process.argv.includes('--if-stale') && built && !stale()) {
  console.log('web assets: up to date (packages/web/dist)');
  process.exit(0);
}

await build({
  root,
  logLevel: 'warn',
  // Assets are served at /assets/… whatever page loads them.
  base: '/',
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    rollupOptions: {
      input: Object.fromEntries(pages.map((p) => [p, join(root, `${p}.html`)])),
    },
  },
  worker: { format: 'es' },
});

const files = filesUnder(outDir);
let total = 0;
const rows = files
  .filter((f) => !f.endsWith('.map'))
  .map((f) => {
    const bytes = readFileSync(f);
    const gz = gzipSync(bytes, { level: 9 }).byteLength;
    total += gz;
    return { file: relative(outDir, f), raw: bytes.byteLength, gz };
  })
  .sort((a, b) => b.gz - a.gz);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log('web assets (gzipped):');
for (const r of rows)
  console.log(`  ${r.file.padEnd(44)} ${kb(r.raw).padStart(10)} ${kb(r.gz).padStart(10)}`);
console.log(`  total ${kb(total)} gzipped, budget ${kb(BUDGET_GZIP_BYTES)}`);
if (total > BUDGET_GZIP_BYTES) {
  console.error(`web build: ${kb(total)} gzipped is over the ${kb(BUDGET_GZIP_BYTES)} budget`);
  process.exit(1);
}

/** Every file under `dir` (none when it does not exist). */
function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Whether a source of the pages changed since the last build: the pages and `src/`, and
 * the built packages they bundle. `npm test` and `npm start` build through here, and a
 * Vite build costs seconds a test run need not pay when nothing changed.
 */
function stale() {
  const packages = join(root, '..');
  const inputs = [
    ...pages.map((p) => join(root, `${p}.html`)),
    join(root, 'scripts', 'build.mjs'),
    ...filesUnder(join(root, 'src')),
    ...['agent', 'runtime', 'protocol'].flatMap((p) => filesUnder(join(packages, p, 'dist'))),
  ];
  const newestInput = Math.max(...inputs.map((f) => statSync(f).mtimeMs));
  const oldestOutput = Math.min(...filesUnder(outDir).map((f) => statSync(f).mtimeMs));
  return newestInput > oldestOutput;
}
