/**
 * @module
 * BullMQ with its results delivered, as Anygrid's throughput figure has them: the Worker
 * runs in its own process (bench/bullmq-worker.js), and a `QueueEvents` listener in this
 * process reads the return value of each `completed` event. Timed from the first add to
 * the last return value read here — what a requester waiting for every result sees.
 */

import { fork } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './processes.js';
import { REDIS } from './redis.js';
import { round } from './stats.js';

/** One run on a fresh queue; the worker and the listener are ready before the clock starts. */
export async function bullmqDeliveredOnce(jobs, concurrency) {
  const { Queue, QueueEvents } = await import('bullmq');
  const name = `anygrid-bench-delivered-${process.pid}-${Date.now()}`;
  // Every job leaves several events in the stream, trimmed by default to ~10 000 entries:
  // a listener falling behind would lose results, so the stream keeps them all.
  const maxLen = jobs * 10;
  const queue = new Queue(name, { connection: REDIS, streams: { events: { maxLen } } });
  await queue.waitUntilReady();
  await (await queue.client).hset(queue.keys.meta, 'opts.maxLenEvents', String(maxLen));
  // From the stream's start, not '$': no event may slip by before the first read.
  const events = new QueueEvents(name, { connection: REDIS, lastEventId: '0-0' });
  await events.waitUntilReady();
  const worker = await startWorker(name, concurrency);

  let received = 0;
  let done;
  let stalled;
  const all = new Promise((resolve, reject) => {
    done = resolve;
    stalled = reject;
  });
  events.on('completed', ({ returnvalue }) => {
    if (typeof returnvalue === 'string' && returnvalue.endsWith('\n') && ++received === jobs)
      done();
  });
  // A lost event would leave the run waiting forever: give up after 30 s without one.
  let seen = -1;
  const watchdog = setInterval(() => {
    if (received === seen) stalled(new Error(`bullmq delivered: stalled at ${received}/${jobs}`));
    seen = received;
  }, 30_000);

  try {
    const t0 = performance.now();
    for (let i = 0; i < jobs; i += 1000) {
      const n = Math.min(1000, jobs - i);
      await queue.addBulk(
        Array.from({ length: n }, (_, k) => ({ name: 't', data: { arg: String(i + k) } })),
      );
    }
    const added = performance.now();
    await all;
    const t1 = performance.now();
    return {
      jobs,
      concurrency,
      received,
      addPerSecond: round(jobs / ((added - t0) / 1000)),
      seconds: round((t1 - t0) / 1000, 2),
      jobsPerSecond: round(jobs / ((t1 - t0) / 1000)),
    };
  } finally {
    clearInterval(watchdog);
    await worker.stop();
    await events.close();
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
}

/** Forks bench/bullmq-worker.js; resolves once its Worker is connected. */
async function startWorker(name, concurrency) {
  const child = fork(join(REPO, 'bench/bullmq-worker.js'), [name, String(concurrency)], {
    // Not this process's flags (--cpu-prof, --input-type): the worker is a plain process.
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`bullmq worker exited with ${code}`)));
  });
  return {
    async stop() {
      if (child.connected) child.send('close');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}
