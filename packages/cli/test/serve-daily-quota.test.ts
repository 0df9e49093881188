/**
 * `anygrid serve --daily-quota N --daily-quota-max M`: the bounds of the daily replica
 * quota reach the store (a new host is sent no more than N replicas today, and its view
 * says so), and bounds that contradict each other are a usage error.
 */

import { afterAll, describe, expect, it } from 'vitest';
import {
  type CoordinatorProcess,
  client,
  killAll,
  removeDir,
  runCli,
  startCoordinator,
  stopProcess,
  tempDir,
} from './harness.js';
import { primeRanges, submitPrimes } from './job-flow.js';

describe('anygrid serve --daily-quota', () => {
  let coord: CoordinatorProcess | undefined;
  afterAll(async () => {
    if (coord) {
      await stopProcess(coord.proc);
      removeDir(coord.dataDir);
    }
    await killAll();
  });

  it('bounds what a new host is sent in a day', async () => {
    coord = await startCoordinator({ extraArgs: ['--daily-quota', '4', '--daily-quota-max', '8'] });
    const admin = client(coord.url, coord.adminToken);
    const requester = client(coord.url, await admin.token('requester'));
    const provider = client(coord.url, await admin.token('provider'));
    await submitPrimes(requester, primeRanges(10, 100));
    const reg = await provider.post('/v1/hosts', {
      name: 'q',
      platform: 'linux-x64',
      cores: 1,
      memoryBytes: 1 << 30,
      slots: 10,
    });
    const hostId = reg.body.hostId as number;
    const work = await provider.post('/v1/work', { hostId, max: 10 });
    expect(work.status).toBe(200);
    expect(work.body.assignments).toHaveLength(4);
    const again = await provider.post('/v1/work', { hostId, max: 10 });
    expect(again.body.assignments).toHaveLength(0);
    const view = await admin.get(`/v1/hosts/${hostId}`);
    expect(view.body.quota).toMatchObject({ perDay: 4, usedToday: 4, leftToday: 0 });
  });

  it('refuses a quota above its maximum, naming both flags', async () => {
    const dir = tempDir();
    try {
      const r = await runCli([
        'serve',
        '--data',
        dir,
        '--daily-quota',
        '10',
        '--daily-quota-max',
        '5',
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--daily-quota 10 is above --daily-quota-max 5/);
    } finally {
      removeDir(dir);
    }
  });
});
