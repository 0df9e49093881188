/**
 * @module
 * `npm run bench [-- PART…]`: runs the named parts (all by default; `--report`: none),
 * prints a table,
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
// `--report` runs nothing: RESULTS.md is written again from the last figures (after an
// edit of analysis.md, say).
const reportOnly = process.argv.includes('--report');
const names = reportOnly ? [] : wanted.length > 0 ? wanted : Object.keys(PARTS);

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

// `--report` measures nothing: the figures keep the date they were taken.
const date = reportOnly && previous.date ? previous.date : new Date().toISOString();
const report = { date, machine, results };
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
    'Regenerate with `npm run bench`. Figures vary between runs: on this VM the same code runs up to 1.6x faster in one minute than in another (see the analysis below).',
    '',
  ];
  const targets = summarize(r);
  if (targets.length > 0) {
    lines.push('## Targets (issue 4)', '', '| target | measured | met |', '| --- | --- | --- |');
    for (const t of targets)
      lines.push(`| ${t.target} | ${t.measured} | ${t.met ? 'yes' : 'no'} |`);
    lines.push('');
  }
  for (const [name, rows] of Object.entries(r)) {
    lines.push(`## ${name}`, '');
    const cols = Object.keys(rows[0] ?? {});
    lines.push(`| ${cols.join(' | ')} |`, `| ${cols.map(() => '---').join(' | ')} |`);
    for (const row of rows) lines.push(`| ${cols.map((c) => row[c]).join(' | ')} |`);
    lines.push('');
  }
  // The hand-written analysis of missed targets follows the figures.
  const analysis = join(REPO, 'bench/analysis.md');
  if (existsSync(analysis)) lines.push(readFileSync(analysis, 'utf8'));
  return `${lines.join('\n')}\n`;
}

/** The issue's targets, read off the rows of this and earlier runs. */
function summarize(r) {
  const find = (part, prefix) => (r[part] ?? []).find((row) => String(row.name).startsWith(prefix));
  const out = [];
  const t1 = find('throughput', 'throughput r=1');
  const bull = find('bullmq', 'bullmq');
  if (t1)
    out.push({
      target: 'throughput r=1 ≥ 20 000 tasks/s',
      measured: `${t1.tasksPerSecond} tasks/s${t1.runs ? ` (median of ${t1.runs} runs, ${t1.range})` : ''}`,
      met: t1.tasksPerSecond >= 20_000,
    });
  // The lower of two ratios: runs paired seconds apart, and the medians of the two parts.
  const ratios = [];
  if (typeof t1?.vsBullmq === 'number')
    ratios.push({ x: t1.vsBullmq, how: `${t1.vsBullmq}x paired with a BullMQ run each` });
  if (t1 && bull?.jobsPerSecond) {
    const x = Math.round((t1.tasksPerSecond / bull.jobsPerSecond) * 100) / 100;
    ratios.push({ x, how: `${x}x against the bullmq part (${bull.jobsPerSecond} jobs/s)` });
  }
  if (ratios.length > 0) {
    const low = Math.min(...ratios.map((r) => r.x));
    out.push({
      target: 'throughput r=1 ≥ 1.0x BullMQ',
      measured: `${low}x (${ratios.map((r) => r.how).join('; ')})`,
      met: low >= 1,
    });
  }
  const lat = find('latency', 'latency 1-task');
  if (lat)
    out.push({
      target: 'submit → first result p50 ≤ 20 ms, p99 ≤ 100 ms',
      measured: `${lat.firstP50Ms} / ${lat.firstP99Ms} ms`,
      met: lat.firstP50Ms <= 20 && lat.firstP99Ms <= 100,
    });
  const conn = find('connections', '');
  if (conn?.rssPeakMiB)
    out.push({
      target: '10 k connected agents: RSS ≤ 1 GB',
      measured: `${conn.rssPeakMiB} MiB peak`,
      met: conn.rssPeakMiB <= 1024,
    });
  for (const row of r.runtime ?? []) {
    if (row.target && row.target !== '—')
      out.push({
        target: `${row.name} ${row.target}`,
        measured: row.ratio !== '—' ? `${row.ratio}x` : `${row.wasmMs} ms`,
        met: row.met === 'yes',
      });
  }
  const big = (r.scheduler ?? []).at(-1);
  if (big?.ratioTo1k)
    out.push({
      target: 'scheduler at 1 M queued ≤ 2x at 1 k',
      measured: `${big.ratioTo1k}x`,
      met: big.ratioTo1k <= 2,
    });
  return out;
}
