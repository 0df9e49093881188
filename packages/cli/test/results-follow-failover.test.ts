/**
 * @module
 * `anygrid results --follow` when its coordinator dies: it says on stderr that it lost the
 * coordinator, when it retries, and the `--after` cursor to resume from on another
 * coordinator; resumed there with that cursor, every result arrives exactly once. With
 * `--json` it prints each result as a line as it comes, so the cursor of the last one
 * printed is the one to resume from.
 */

import { describe, expect, it } from 'vitest';
import {
  CLI,
  client,
  runCli,
  spawnNode,
  startAgent,
  startCoordinator,
  stopProcess,
  useSharedDataDir,
  waitFor,
} from './harness.js';
import { primeRanges, submitPrimes } from './job-flow.js';

const TASKS = 30;

describe('a results follower whose coordinator dies', () => {
  const dataDir = useSharedDataDir('anygrid-follow-');

  it('says how to resume elsewhere, and resumed there gets every result once', async () => {
    const serve = () => startCoordinator({ dataDir, extraArgs: ['--discovery-ms', '100'] });
    const a = await serve();
    const b = await serve();
    const admin = client(b.url, b.adminToken);
    const token = await admin.token('requester');
    const agent = startAgent(b.url, await admin.token('provider'), { slots: 1, name: 'on-b' });
    await waitFor('the agent to join', async () => agent.output().includes('joined'));
    // Tasks of a few hundred ms each on one slot: the job outlives the first coordinator.
    const job = await submitPrimes(client(b.url, token), primeRanges(TASKS, 400_000));

    const follower = spawnNode(
      [CLI, 'results', String(job.id), '--follow', '--json', '--url', a.url],
      { ANYGRID_TOKEN: token },
    );
    const lines = () =>
      follower
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { index: number; cursor: number });
    await waitFor('a few results to stream', async () => lines().length >= 3, 60_000);
    await stopProcess(a.proc, 'SIGKILL');
    const hint = await waitFor('the follower to say it lost the coordinator', async () =>
      /lost the coordinator[\s\S]*?--after (\d+) --url URL/.exec(follower.output()),
    );
    const before = lines();
    const last = Math.max(...before.map((r) => r.cursor));
    expect(Number(hint[1])).toBe(last);
    await stopProcess(follower.proc, 'SIGTERM');

    const rest = await runCli(
      ['results', String(job.id), '--follow', '--json', '--after', hint[1] ?? '', '--url', b.url],
      { env: { ANYGRID_TOKEN: token } },
    );
    expect(rest.code).toBe(0);
    const after = rest.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { index: number });
    const indexes = [...before, ...after].map((r) => r.index).sort((x, y) => x - y);
    expect(indexes).toEqual(Array.from({ length: TASKS }, (_, i) => i));
  }, 180_000);
});
