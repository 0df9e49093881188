/**
 * @module
 * The same number of trivial jobs through BullMQ on the local Redis, in this run on this
 * machine: `addBulk` in chunks of 1 000, one Worker (concurrency 100, removeOnComplete)
 * whose processor returns its argument — the work trivial.wasm does. End to end: from
 * the first add to the last completion. Skipped with a message where Redis is absent.
 */

import { createConnection } from 'node:net';
import { round } from './stats.js';

const REDIS = { host: '127.0.0.1', port: 6379 };

export async function redisUp() {
  return new Promise((resolve) => {
    const s = createConnection(REDIS, () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(false);
    });
  });
}

export async function bullmq({ jobs = 100_000, concurrency = 100, runs = 3 } = {}) {
  if (!(await redisUp())) {
    console.error('bullmq: skipped — no Redis at 127.0.0.1:6379 (start one to compare)');
    return [{ name: 'bullmq', skipped: 'no Redis at 127.0.0.1:6379' }];
  }
  // BullMQ at its best: both orders, the median of several runs each; the faster order
  // comes first, as the one Anygrid is compared with.
  const rows = [];
  for (const overlap of [false, true]) {
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(await bullmqOnce(jobs, concurrency, overlap));
    samples.sort((a, b) => a.jobsPerSecond - b.jobsPerSecond);
    const perSecond = samples.map((x) => x.jobsPerSecond);
    rows.push({
      name: overlap ? 'bullmq add while processing' : 'bullmq add then process',
      ...samples[Math.floor(samples.length / 2)],
      runs,
      range: `${Math.min(...perSecond)}–${Math.max(...perSecond)}`,
    });
  }
  return rows.sort((a, b) => b.jobsPerSecond - a.jobsPerSecond);
}

/** One run on a fresh queue; with `overlap` the worker runs while jobs are added. */
export async function bullmqOnce(jobs, concurrency, overlap) {
  const { Queue, Worker } = await import('bullmq');
  const name = `anygrid-bench-${process.pid}-${Date.now()}`;
  const queue = new Queue(name, { connection: REDIS });
  await queue.obliterate({ force: true }).catch(() => {});
  let completed = 0;
  let resolveDone;
  const done = new Promise((r) => {
    resolveDone = r;
  });
  const worker = new Worker(name, async (job) => `${job.data.arg}\n`, {
    connection: REDIS,
    concurrency,
    removeOnComplete: { count: 0 },
    autorun: false,
  });
  worker.on('completed', () => {
    if (++completed === jobs) resolveDone();
  });

  const t0 = performance.now();
  if (overlap) worker.run();
  for (let i = 0; i < jobs; i += 1000) {
    const n = Math.min(1000, jobs - i);
    await queue.addBulk(
      Array.from({ length: n }, (_, k) => ({ name: 't', data: { arg: String(i + k) } })),
    );
  }
  const added = performance.now();
  if (!overlap) worker.run();
  await done;
  const t1 = performance.now();
  await worker.close();
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
  return {
    jobs,
    concurrency,
    addPerSecond: round(jobs / ((added - t0) / 1000)),
    seconds: round((t1 - t0) / 1000, 2),
    jobsPerSecond: round(jobs / ((t1 - t0) / 1000)),
  };
}
