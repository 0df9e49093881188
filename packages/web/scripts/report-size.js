/**
 * @module
 * Prints the size of every built asset, raw and gzipped, and the gzipped total; exits 1
 * past the budget (300 KB gzipped for all the pages' assets together).
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 300 * 1024;
const dist = join(import.meta.dirname, '..', 'dist');

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

let total = 0;
for (const path of files(dist).sort()) {
  const bytes = readFileSync(path);
  const gz = gzipSync(bytes, { level: 9 }).byteLength;
  total += gz;
  console.log(
    `${relative(dist, path).padEnd(48)} ${String(bytes.byteLength).padStart(8)} B  ${String(gz).padStart(7)} B gzipped`,
  );
}
console.log(
  `web assets in all: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`,
);
if (total > BUDGET) {
  console.error('over budget: make the pages smaller');
  process.exit(1);
}
