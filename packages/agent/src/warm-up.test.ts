import { NodeSandbox } from '@anygrid/runtime/node';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { TaskSandbox } from './task-runner.js';
import { warmUp } from './warm-up.js';

const logger = pino({ level: 'silent' });

describe('warmUp', () => {
  it('runs the empty command once per slot in the real sandbox', async () => {
    const sandbox = new NodeSandbox({ maxWorkers: 2 });
    let runs = 0;
    const counting: TaskSandbox = {
      compile: (bytes, cap) => sandbox.compile(bytes, cap),
      run: async (module, spec) => {
        runs += 1;
        const result = await sandbox.run(module, spec);
        expect(result.exitCode).toBe(0);
        return result;
      },
      close: () => sandbox.close(),
    };
    await warmUp(counting, 2, logger);
    expect(runs).toBe(2);
    await sandbox.close();
  });

  it('never rejects, even when the sandbox is closed', async () => {
    const sandbox = new NodeSandbox({ maxWorkers: 1 });
    await sandbox.close();
    await expect(warmUp(sandbox, 1, logger)).resolves.toBeUndefined();
  });
});
