/**
 * @module
 * Starts the sandbox's workers before the first task arrives. A worker takes 100–300 ms
 * to start on a small machine — more than the whole round trip a requester waits for —
 * so the agent runs an empty WebAssembly command once per slot while it has nothing
 * else to do. Best effort: a failure only means the first task starts the workers.
 */

import type { Logger } from 'pino';
import type { TaskSandbox } from './task-runner.js';

/** `(module (memory 1) (export "memory" (memory 0)) (func (export "_start")))` */
const EMPTY_COMMAND = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02,
  0x01, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x13, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72,
  0x79, 0x02, 0x00, 0x06, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x00, 0x0a, 0x04, 0x01, 0x02,
  0x00, 0x0b,
]);

/** Runs the empty command on `slots` workers at once; resolves when done, never rejects. */
export async function warmUp(sandbox: TaskSandbox, slots: number, logger: Logger): Promise<void> {
  try {
    const module = await sandbox.compile(EMPTY_COMMAND, 1 << 20);
    const spec = { args: [], env: {}, dirs: {}, limits: { wallTimeMs: 10_000 }, seed: 0 };
    await Promise.all(Array.from({ length: slots }, () => sandbox.run(module, spec)));
  } catch (error) {
    logger.debug({ err: error }, 'could not start the sandbox workers ahead of work');
  }
}
