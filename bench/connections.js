/**
 * @module
 * Many connected idle agents: coordinator RSS and CPU with 10 k providers holding the
 * work stream open (lightweight protocol clients in several processes), and the time
 * until every one of them has an assignment once a job arrives.
 */

import { fork } from 'node:child_process';
import { join } from 'node:path';
import { Anygrid } from '@anygrid/sdk';
import { procStats } from './proc.js';
import { REPO, startCoordinator } from './processes.js';
import { round } from './stats.js';

export async function connections({ agents = 10_000, processes = 4 } = {}) {
  const coord = await startCoordinator();
  const token = await coord.token('provider');
  const base = procStats(coord.pid);
  const per = Math.ceil(agents / processes);
  const children = Array.from({ length: processes }, (_, i) =>
    fork(
      join(REPO, 'bench/idle-agents.js'),
      [coord.url, token, String(Math.min(per, agents - i * per)), `idle${i}`],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    ),
  );
  const tConnect = performance.now();
  await Promise.all(
    children.map(
      (c) =>
        new Promise((resolve) => {
          c.on('message', (m) => m.type === 'connected' && resolve(m.count));
          c.send({ type: 'connect' });
        }),
    ),
  );
  const connectSeconds = (performance.now() - tConnect) / 1000;
  const before = procStats(coord.pid);
  await new Promise((r) => setTimeout(r, 5000));
  const idle = procStats(coord.pid);

  let got = 0;
  let lastAt = 0;
  const allGotWork = new Promise((resolve) => {
    for (const c of children) {
      c.on('message', (m) => {
        if (m.type !== 'got-work') return;
        lastAt = Math.max(lastAt, m.at);
        if (++got === agents) resolve();
      });
    }
  });
  const grid = new Anygrid({ url: coord.url, token: await coord.token('requester') });
  const t0 = Date.now();
  await grid.submit({
    module: 'examples/trivial.wasm',
    tasks: Array.from({ length: agents }, (_, i) => ({ args: [String(i)] })),
  });
  const timeout = new Promise((r) => setTimeout(r, 120_000));
  await Promise.race([allGotWork, timeout]);
  const peak = procStats(coord.pid);
  for (const c of children) c.send({ type: 'stop' });
  await coord.stop();
  return [
    {
      name: `${agents.toLocaleString('en')} idle agents`,
      connected: agents,
      connectSeconds: round(connectSeconds, 1),
      rssBaseMiB: round(base.rssMiB),
      rssConnectedMiB: round(before.rssMiB),
      rssPeakMiB: round(peak.rssMiB),
      idleCpuPercent: round(((idle.cpuSeconds - before.cpuSeconds) / 5) * 100, 1),
      gotWork: got,
      allGotWorkMs: got === agents ? lastAt - t0 : `only ${got} in 120 s`,
    },
  ];
}
