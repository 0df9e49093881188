/**
 * @module
 * `node bench/bullmq-worker.js QUEUE CONCURRENCY`: the BullMQ Worker of the delivered
 * variant, in its own process as an Anygrid provider is. Its processor returns the job's
 * argument and a newline, the output trivial.wasm gives. Says 'ready' over IPC once
 * connected, and closes when the bench process asks or goes away.
 */

import { Worker } from 'bullmq';
import { REDIS } from './redis.js';

const [name, concurrency = '100'] = process.argv.slice(2);
if (!name || !process.send) {
  console.error('usage: forked by bench/bullmq-delivered.js with QUEUE CONCURRENCY');
  process.exit(2);
}

const worker = new Worker(name, async (job) => `${job.data.arg}\n`, {
  connection: REDIS,
  concurrency: Number(concurrency),
  removeOnComplete: { count: 0 },
});
worker.on('error', (err) => console.error(`bullmq worker: ${err.message}`));

const close = async () => {
  await worker.close();
  process.exit(0);
};
process.on('message', (m) => m === 'close' && close());
process.on('disconnect', close);

await worker.waitUntilReady();
process.send('ready');
