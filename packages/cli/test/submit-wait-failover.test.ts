/**
 * @module
 * `anygrid submit --wait` when its coordinator dies: rather than a progress display that
 * just stops, it says on stderr that it lost the coordinator, that the job keeps running,
 * and how to follow it on another coordinator, where the job then completes. The
 * next-step hints of a submit pointed at a coordinator with `--url` carry that `--url`
 * (on a grid of several, a bare hint names the default coordinator); pointed at one with
 * ANYGRID_URL, they need not.
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

describe('submit --wait whose coordinator dies', () => {
  const dataDir = useSharedDataDir('anygrid-wait-');

  it('says it lost the coordinator and how to follow the job elsewhere, where it completes', async () => {
    const serve = () => startCoordinator({ dataDir, extraArgs: ['--discovery-ms', '100'] });
    const a = await serve();
    const b = await serve();
    const admin = client(b.url, b.adminToken);
    const token = await admin.token('requester');

    // Hints after a submit name the coordinator it was pointed at, unless ANYGRID_URL does.
    const flagged = await runCli(
      ['submit', 'examples/prime.wasm', '--url', a.url, '--', '0', '10'],
      { env: { ANYGRID_TOKEN: token } },
    );
    expect(flagged.code, flagged.stderr).toBe(0);
    expect(flagged.stderr).toMatch(new RegExp(`next: anygrid status \\d+ --url ${a.url}\\n`));
    const fromEnv = await runCli(['submit', 'examples/prime.wasm', '--', '0', '10'], {
      env: { ANYGRID_TOKEN: token, ANYGRID_URL: a.url },
    });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(fromEnv.stderr).toMatch(/next: anygrid status \d+\n/);

    // No provider yet: the job waits, and so does its submitter.
    const waiting = spawnNode(
      [CLI, 'submit', 'examples/prime.wasm', '--wait', '--url', a.url, '--', '0', '20000'],
      { ANYGRID_TOKEN: token },
    );
    const submitted = await waitFor('the job to be submitted and followed', async () => {
      const out = waiting.output();
      const id = /submitted job (\d+)/.exec(out)?.[1];
      return id !== undefined && out.includes('progress: 0/1') ? Number(id) : undefined;
    });
    await stopProcess(a.proc, 'SIGKILL');
    await waitFor('the submitter to say it lost the coordinator', async () =>
      /lost the coordinator: .*\nretrying for up to \d+ s; next: the job keeps running; follow it on another coordinator: anygrid status (\d+) --url URL/.test(
        waiting.output(),
      ),
    );
    expect(waiting.output()).toContain(`anygrid status ${submitted} --url URL`);

    // Followed on the other coordinator, the job runs to its end once a provider joins.
    const agent = startAgent(b.url, await admin.token('provider'), { slots: 1, name: 'on-b' });
    await waitFor('the agent to join', async () => agent.output().includes('joined'));
    await waitFor('the job to complete on the other coordinator', async () => {
      const s = await runCli(['status', String(submitted), '--json', '--url', b.url], {
        env: { ANYGRID_TOKEN: token },
      });
      return s.code === 0 && JSON.parse(s.stdout).state === 'completed';
    });
    await stopProcess(waiting.proc, 'SIGINT');
    expect(waiting.output()).toContain(
      `the job keeps running: anygrid status ${submitted} --url ${a.url}`,
    );
  }, 120_000);
});
