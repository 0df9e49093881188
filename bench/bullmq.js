/**
 * @module
 * The same number of trivial jobs through BullMQ on the local Redis, in this run on this
 * machine: `addBulk` in chunks of 1 000, Workers at concurrency 100 with removeOnComplete,
 * whose processor returns its argument — the work trivial.wasm does. Two variants, each
 * row saying what it measures:
 *
 * - no delivery: the Worker runs in the bench process, timed from the first add to the
 *   last job completed; the return values stay in Redis and nobody reads them. BullMQ at
 *   its fastest, in both orders (add then process, add while processing).
 * - delivered (bench/bullmq-delivered.js): the Worker in its own process, and every
 *   return value read by a `QueueEvents` listener in the bench process — like Anygrid's
 *   throughput, whose results reach the requester.
 *
 * Skipped with a message where Redis is absent.
 */

import { bullmqDeliveredOnce } from './bullmq-delivered.js';
import { REDIS, redisUp } from './redis.js';
import { round } from './stats.js';

/** What each variant's figure measures, shown beside it. */
export const NOT_DELIVERED =
  'first add → last job completed; Worker in the bench process, return values not read';
export const DELIVERED =
  'first add → last return value read by a QueueEvents listener; Worker in its own process';

export async function bullmq({ jobs = 100_000, concurrency = 100, runs = 3 } = {}) {
  if (!(await redisUp())) {
    console.error('bullmq: skipped — no Redis at 127.0.0.1:6379 (start one to compare)');
    return [{ name: 'bullmq', skipped: 'no Redis at 127.0.0.1:6379' }];
  }
  const variants = [
    {
      name: 'bullmq no delivery, add then process',
      measures: NOT_DELIVERED,
      once: () => bullmqOnce(jobs, concurrency, false),
    },
    {
      name: 'bullmq no delivery, add while processing',
      measures: NOT_DELIVERED,
      once: () => bullmqOnce(jobs, concurrency, true),
    },
    {
      name: 'bullmq delivered, worker process → QueueEvents',
      measures: DELIVERED,
      once: () => bullmqDeliveredOnce(jobs, concurrency),
    },
  ];
  // The median of several runs each, with the range.
  const rows = [];
  for (const { name, measures, once } of variants) {
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(await once());
    samples.sort((a, b) => a.jobsPerSecond - b.jobsPerSecond);
    const perSecond = samples.map((x) => x.jobsPerSecond);
    rows.push({
      name,
      ...samples[Math.floor(samples.length / 2)],
      runs,
      range: `${Math.min(...perSecond)}–${Math.max(...perSecond)}`,
      measures,
    });
  }
  return rows;
}

/**
 * One no-delivery run on a fresh queue, the Worker in this process; with `overlap` it
 * runs while jobs are added.
 */
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
