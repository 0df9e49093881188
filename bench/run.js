/**
 * @module
 * `npm run bench [-- PART…]`: runs the named parts (all by default; `--report`: none),
 * prints a table, and writes bench/results/latest.json and bench/RESULTS.md with the
 * machine and every figure, each row stamped with the date and commit it was measured
 * at. `--smoke`: a few tasks per part, to check the parts still work; prints only,
 * writes nothing. Timings live here, never in `npm test`.
 */

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { bullmq } from './bullmq.js';
import { connections } from './connections.js';
import { latency } from './latency.js';
import { killAll, REPO } from './processes.js';
import { resultsMarkdown } from './results-markdown.js';
import { runtime } from './runtime.js';
import { scaleout } from './scaleout.js';
import { schedulerScaling } from './scheduler.js';
import { soak } from './soak.js';
import { storeCost } from './store-cost.js';
import { throughput } from './throughput.js';
import { verification } from './verification.js';

const PARTS = {
  throughput,
  bullmq,
  latency,
  connections,
  runtime,
  scheduler: schedulerScaling,
  store: storeCost,
  verification,
  soak,
  scaleout,
};
/** Parts run only when named (`npm run bench -- soak`): minutes long, or needing PostgreSQL. */
const ON_REQUEST = new Set(['soak', 'scaleout']);
/** Each part's options under `--smoke`: enough to run every code path, too few to measure. */
const SMOKE = {
  throughput: { tasks: 2_000, runs: 1 },
  bullmq: { jobs: 2_000, runs: 1 },
  latency: { runs: 10 },
  connections: { agents: 200, processes: 2 },
  runtime: { repeats: 1 },
  scheduler: { sizes: [1_000, 10_000] },
  store: { tasks: 2_000, rounds: 1 },
  verification: { tasks: 2_000, fractions: [0, 0.05] },
  soak: { tasks: 40_000, jobSize: 5_000, sampleMs: 2_000, retention: '2s' },
  scaleout: { tasks: 2_000, runs: 1 },
};

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
const smoke = process.argv.includes('--smoke');
const names = reportOnly
  ? []
  : wanted.length > 0
    ? wanted
    : Object.keys(PARTS).filter((name) => !ON_REQUEST.has(name));

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
    console.error(`running ${name}${smoke ? ' (smoke)' : ''}…`);
    const commit = measuredCommit();
    const rows = await PARTS[name](smoke ? SMOKE[name] : undefined);
    const date = new Date().toISOString();
    // The CPU too: the header names the machine of the last run, and rows kept from
    // earlier runs may come from another (these VMs change model between sessions).
    results[name] = rows.map((row) => ({ ...row, date, commit, cpu: machine.cpu }));
    console.table(results[name]);
  }
} finally {
  killAll();
}

if (smoke) {
  console.error('smoke run: bench/results/latest.json and bench/RESULTS.md left as they were');
  process.exit(0);
}
const report = { machine, results };
mkdirSync(join(REPO, 'bench/results'), { recursive: true });
writeFileSync(latestPath, `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(REPO, 'bench/RESULTS.md'), resultsMarkdown(report));
console.error('wrote bench/results/latest.json and bench/RESULTS.md');
process.exit(0);

/** The commit being measured, `-dirty` when the code differs from it. */
function measuredCommit() {
  const git = (...args) => execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim();
  try {
    const head = git('rev-parse', '--short=7', 'HEAD');
    // What a run measures: the packages, the bench and the examples; not its own output.
    const changed = git(
      'status',
      '--porcelain',
      '--untracked-files=no',
      '--',
      'packages',
      'examples',
      'bench',
      'package-lock.json',
      ':!bench/results',
      ':!bench/*.md',
    );
    return changed ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}
