/**
 * @module
 * Soak: millions of small tasks at redundancy 2 through a coordinator with a retention of
 * seconds, submitted in waves of jobs (a few in flight at once, each with a stdin blob of
 * its own), every result read from the stream. Every `sampleMs` it prints tasks/s, the
 * database's size with its WAL, the blob folder's size and the coordinator's RSS; at the
 * end it checks that the sizes stayed bounded: the final size against the peak just after
 * warm-up, and the peak of the last third of the run against that of the first.
 *
 * Not part of `npm test`: a full run takes several minutes. `SOAK_LOG=1` shows the
 * coordinator's info log (one line per janitor sweep that did something).
 */

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Anygrid } from '@anygrid/sdk';
import { procStats } from './proc.js';
import { startAgents, startCoordinator } from './processes.js';
import { round } from './stats.js';

/** A size may end at most this much above the peak just after warm-up and stay "bounded". */
const BOUND = 1.25;
const MiB = 2 ** 20;

export async function soak({
  tasks = 2_000_000,
  jobSize = 20_000,
  inFlight = 3,
  agents = 2,
  slots = 1,
  retention = '5s',
  sampleMs = 5_000,
} = {}) {
  const coord = await startCoordinator({
    args: [
      '--retention',
      retention,
      '--janitor-interval',
      '1s',
      '--blob-grace',
      retention,
      ...(process.env.SOAK_LOG ? ['--log-level', 'info'] : []),
    ],
  });
  const pool = await startAgents(coord.url, () => coord.token('provider'), agents, slots);
  const samples = [];
  let timer;
  try {
    const grid = new Anygrid({ url: coord.url, token: await coord.token('requester') });
    let submitted = 0;
    let jobs = 0;
    let valid = 0;
    let other = 0;
    const t0 = performance.now();
    let loading = true;
    const sample = () => {
      const s = {
        load: loading,
        seconds: round((performance.now() - t0) / 1000, 1),
        results: valid + other,
        dbMiB: round(dbBytes(coord.dataDir) / MiB, 1),
        blobsMiB: round(folderBytes(join(coord.dataDir, 'blobs')) / MiB, 2),
        blobFiles: folderFiles(join(coord.dataDir, 'blobs')),
        rssMiB: round(procStats(coord.pid).rssMiB),
      };
      const prev = samples.at(-1) ?? { seconds: 0, results: 0 };
      s.tasksPerSecond = round((s.results - prev.results) / (s.seconds - prev.seconds));
      samples.push(s);
      console.error(
        `soak ${String(s.seconds).padStart(6)} s  ${String(s.results).padStart(8)} results  ${String(s.tasksPerSecond).padStart(6)} tasks/s  db+wal ${s.dbMiB} MiB  blobs ${s.blobsMiB} MiB (${s.blobFiles} files)  rss ${s.rssMiB} MiB`,
      );
    };
    timer = setInterval(sample, sampleMs);

    const wave = async () => {
      while (submitted < tasks) {
        const n = Math.min(jobSize, tasks - submitted);
        submitted += n;
        const id = jobs++;
        // A stdin of its own per job: a blob the janitor must delete after the job.
        const stdin = `soak job ${id}\n`;
        const job = await grid.submit({
          name: `soak-${id}`,
          module: 'examples/trivial.wasm',
          tasks: Array.from({ length: n }, (_, i) => ({ args: [String(i)], stdin })),
          redundancy: 2,
        });
        for await (const r of job.results()) {
          if (r.outcome === 'valid') valid++;
          else other++;
        }
      }
    };
    await Promise.all(Array.from({ length: inFlight }, wave));
    const seconds = (performance.now() - t0) / 1000;
    sample();
    loading = false;
    // Let the janitor purge the last jobs, then sample what is left.
    await new Promise((r) => setTimeout(r, 3 * parseSeconds(retention) * 1000 + 2000));
    clearInterval(timer);
    sample();
    return verdictRows({ tasks, valid, other, jobs, seconds, samples, retention });
  } finally {
    clearInterval(timer);
    await pool.stop();
    await coord.stop();
  }
}

/**
 * The summary row and a row per sixth of the run. Judged on the samples under load after
 * warm-up (the first fifth): the size when the load ends, and the peak of the last third,
 * each against the peak of the first third. The sizes after the last purge are shown too.
 */
function verdictRows({ tasks, valid, other, jobs, seconds, samples, retention }) {
  const loaded = samples.filter((s) => s.load);
  const end = loaded.at(-1);
  const warm = loaded.filter((s) => s.seconds > end.seconds * 0.2);
  const third = Math.max(1, Math.floor(warm.length / 3));
  const early = warm.slice(0, third);
  const late = warm.slice(-third);
  const peak = (rows, key) => Math.max(...rows.map((s) => s[key]));
  const final = end;
  const drained = samples.at(-1);
  const judge = (key) => {
    const earlyPeak = peak(early, key);
    const finalRatio = earlyPeak > 0 ? round(final[key] / earlyPeak, 2) : 0;
    const lateRatio = earlyPeak > 0 ? round(peak(late, key) / earlyPeak, 2) : 0;
    return { earlyPeak, finalRatio, lateRatio, ok: finalRatio <= BOUND && lateRatio <= BOUND };
  };
  const db = judge('dbMiB');
  const blobs = judge('blobsMiB');
  const rss = judge('rssMiB');
  const bounded = db.ok && blobs.ok;
  console.error(
    `soak verdict: ${bounded ? 'BOUNDED' : 'GROWING'} — end of load ÷ peak after warm-up: db+wal ${db.finalRatio}, blobs ${blobs.finalRatio}, rss ${rss.finalRatio}; last third's peak ÷ first third's: ${db.lateRatio}, ${blobs.lateRatio}, ${rss.lateRatio}; after the last purge: db+wal ${drained.dbMiB} MiB, blobs ${drained.blobsMiB} MiB`,
  );
  const summary = {
    name: `soak r=2, ${jobs} jobs, retention ${retention}`,
    tasks,
    validated: valid,
    other,
    seconds: round(seconds, 1),
    tasksPerSecond: round(valid / seconds),
    dbPeakMiB: peak(samples, 'dbMiB'),
    dbEndMiB: final.dbMiB,
    dbDrainedMiB: drained.dbMiB,
    dbEndToPeakAfterWarmup: db.finalRatio,
    dbLateToEarlyPeak: db.lateRatio,
    blobsPeakMiB: peak(samples, 'blobsMiB'),
    blobsEndMiB: final.blobsMiB,
    blobsEndToPeakAfterWarmup: blobs.finalRatio,
    blobsLateToEarlyPeak: blobs.lateRatio,
    rssPeakMiB: peak(samples, 'rssMiB'),
    rssEndMiB: final.rssMiB,
    rssEndToPeakAfterWarmup: rss.finalRatio,
    verdict: bounded ? 'bounded' : 'growing',
  };
  const step = Math.max(1, Math.floor(samples.length / 6));
  const series = samples
    .filter((_, i) => i % step === 0 || i === samples.length - 1)
    .map(({ load, ...s }) => ({
      name: `soak at ${s.seconds} s${load ? '' : ' (load over)'}`,
      ...s,
    }));
  return [summary, ...series];
}

function parseSeconds(duration) {
  const m = /^(\d+)(ms|s|m)?$/.exec(duration);
  const n = Number(m?.[1] ?? 5);
  return m?.[2] === 'ms' ? n / 1000 : m?.[2] === 'm' ? n * 60 : n;
}

/** The database file with its WAL and shared-memory index. */
function dbBytes(dataDir) {
  let total = 0;
  for (const f of ['anygrid.db', 'anygrid.db-wal', 'anygrid.db-shm']) {
    try {
      total += statSync(join(dataDir, f)).size;
    } catch {
      // absent between checkpoints
    }
  }
  return total;
}

function folderEntries(dir) {
  const out = [];
  for (const sub of readdirSync(dir, { withFileTypes: true })) {
    if (!sub.isDirectory()) continue;
    for (const name of readdirSync(join(dir, sub.name))) {
      try {
        out.push(statSync(join(dir, sub.name, name)).size);
      } catch {
        // deleted while listed
      }
    }
  }
  return out;
}

function folderBytes(dir) {
  return folderEntries(dir).reduce((a, b) => a + b, 0);
}

function folderFiles(dir) {
  return folderEntries(dir).length;
}
