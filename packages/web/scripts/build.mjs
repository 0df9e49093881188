/**
 * Builds the web pages with Vite (one multi-page build: volunteer.html, dashboard.html)
 * into dist/, then prints the gzipped size of every asset and fails when they pass the
 * budget together: the pages must load fast on a phone. `--if-missing` builds only when
 * a page is not built yet (`npm start`).
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

if (
  process.argv.includes('--if-missing') &&
  pages.every((p) => existsSync(join(outDir, `${p}.html`)))
) {
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

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else files.push(path);
  }
};
walk(outDir);
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
