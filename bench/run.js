/**
 * @module
 * `npm run bench [-- PART…]`: runs the named parts (all by default), prints a table,
 * and writes bench/results/latest.json and bench/RESULTS.md with the date, the machine
 * and every figure. Timings live here, never in `npm test`.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { bullmq } from './bullmq.js';
import { connections } from './connections.js';
import { latency } from './latency.js';
import { killAll, REPO } from './processes.js';
import { runtime } from './runtime.js';
import { schedulerScaling } from './scheduler.js';
import { throughput } from './throughput.js';

const PARTS = { throughput, bullmq, latency, connections, runtime, scheduler: schedulerScaling };

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !(w in PARTS));
if (unknown.length > 0) {
  console.error(
    `unknown bench part(s): ${unknown.join(', ')}; choose from: ${Object.keys(PARTS).join(', ')}`,
  );
  process.exit(2);
}
const names = wanted.length > 0 ? wanted : Object.keys(PARTS);

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: availableParallelism(),
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};
// Parts not run this time keep their last figures, so RESULTS.md always shows every part.
const latestPath = join(REPO, 'bench/results/latest.json');
const previous = existsSync(latestPath)
  ? JSON.parse(readFileSync(latestPath, 'utf8'))
  : { results: {} };
const results = { ...previous.results };
try {
  for (const name of names) {
    console.error(`running ${name}…`);
    results[name] = await PARTS[name]();
    console.table(results[name]);
  }
} finally {
  killAll();
}

const report = { date: new Date().toISOString(), machine, results };
mkdirSync(join(REPO, 'bench/results'), { recursive: true });
writeFileSync(latestPath, `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(REPO, 'bench/RESULTS.md'), markdown(report));
console.error('wrote bench/results/latest.json and bench/RESULTS.md');
process.exit(0);

function markdown({ date, machine: m, results: r }) {
  const lines = [
    '# Benchmark results',
    '',
    `Last run ${date} on ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}.`,
    'Regenerate with `npm run bench`; figures vary by a few percent between runs.',
    '',
  ];
  for (const [name, rows] of Object.entries(r)) {
    lines.push(`## ${name}`, '');
    const cols = Object.keys(rows[0] ?? {});
    lines.push(`| ${cols.join(' | ')} |`, `| ${cols.map(() => '---').join(' | ')} |`);
    for (const row of rows) lines.push(`| ${cols.map((c) => row[c]).join(' | ')} |`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
