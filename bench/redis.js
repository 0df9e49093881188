/**
 * @module
 * The local Redis the BullMQ comparisons use (127.0.0.1:6379), and whether it answers:
 * without it those parts are skipped with a message rather than failing the run.
 */

import { createConnection } from 'node:net';

export const REDIS = { host: '127.0.0.1', port: 6379 };

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
