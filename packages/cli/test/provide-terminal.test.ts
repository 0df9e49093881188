/**
 * `anygrid provide` as a person runs it: at the default log level (`warn`, as `serve`)
 * it prints no info JSON lines, only `joined …` and a one-line status (tasks done,
 * running, failed, last warning or error), redrawn in place in a terminal; `--log-level info`
 * brings the agent's JSON log back. The token can come from `--token-file`, where `ps`
 * does not show it. Started before its coordinator is up, it says it is waiting for it,
 * and joins once it answers.
 */

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Anygrid } from '@anygrid/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI,
  client,
  EXAMPLES,
  REPO,
  removeDir,
  runCli,
  type Spawned,
  spawnNode,
  startCoordinator,
  stopProcess,
  tempDir,
  useCoordinator,
  useSharedDataDir,
  waitFor,
} from './harness.js';

/** Whether a line matching `status` was drawn in place: after "clear the line". */
function redrawn(out: string, status: RegExp): boolean {
  return out
    .split('\r\u001b[2K')
    .slice(1)
    .some((drawn) => status.test(drawn));
}

describe('anygrid provide', () => {
  const ctx = useCoordinator();
  const dir = tempDir('anygrid-provide-');
  const tokenFile = join(dir, 'provider.token');
  let grid: Anygrid;

  beforeAll(async () => {
    writeFileSync(tokenFile, `  ${ctx.providerToken}\n`, { mode: 0o600 });
    grid = new Anygrid({ url: ctx.coord.url, token: await ctx.admin.token('requester') });
  });
  afterAll(() => removeDir(dir));

  /** `provide` with the token from the file and no ANYGRID_LOG_LEVEL: the defaults. */
  function provide(...extra: string[]): Spawned {
    return spawnNode(
      [CLI, 'provide', '--coordinator', ctx.coord.url, '--token-file', tokenFile, ...extra],
      { ANYGRID_LOG_LEVEL: undefined, ANYGRID_TOKEN: undefined },
    );
  }

  async function runOneTask(): Promise<void> {
    const job = await grid.submit({
      module: join(EXAMPLES, 'prime.wasm'),
      tasks: [{ args: ['0', '100'] }],
    });
    expect((await job.wait()).progress.valid).toBe(1);
  }

  it('prints no info JSON at the default level, and a status line with the tasks done', async () => {
    const agent = provide('--slots', '1', '--stats-interval', '200');
    await waitFor('the agent to join', async () => agent.output().includes('joined'));
    // The token came from the file: nothing on the command line shows it.
    const cmdline = readFileSync(`/proc/${agent.proc.pid}/cmdline`, 'utf8');
    expect(cmdline).toContain('--token-file');
    expect(cmdline).not.toContain(ctx.providerToken);

    await runOneTask();
    await waitFor('the status to count the task', async () =>
      /^host \d+: 1 done, 0 running, 0 failed$/m.test(agent.output()),
    );
    await stopProcess(agent.proc, 'SIGTERM');
    expect(agent.output()).toMatch(/^SIGTERM: stopping, handing back running tasks…$/m);
    expect(agent.output()).toMatch(/^host \d+ stopped$/m);
    expect(agent.output()).not.toMatch(/^\{/m);
  });

  it('takes --url for --coordinator, as every other command names it, over ANYGRID_URL', async () => {
    const agent = spawnNode(
      [CLI, 'provide', '--url', ctx.coord.url, '--token-file', tokenFile, '--slots', '1'],
      { ANYGRID_LOG_LEVEL: undefined, ANYGRID_TOKEN: undefined, ANYGRID_URL: 'http://127.0.0.1:9' },
    );
    await waitFor('the agent to join', async () => agent.output().includes('joined'));
    expect(agent.output()).toContain(ctx.coord.url);
    await stopProcess(agent.proc, 'SIGTERM');
  });

  it('redraws the status in place in a terminal', async () => {
    // `script` gives the agent a pseudo-terminal; it runs in its own process group.
    const command = [process.execPath, CLI, 'provide', '--coordinator', ctx.coord.url]
      .concat(['--token-file', tokenFile, '--slots', '1'])
      .map((a) => `'${a}'`)
      .join(' ');
    const env = { ...process.env };
    delete env.ANYGRID_LOG_LEVEL;
    const tty = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: REPO,
      env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    tty.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    try {
      await waitFor('the status line', async () => redrawn(out, /^host \d+: 0 done/));
      await runOneTask();
      await waitFor('the status to count the task', async () =>
        redrawn(out, /^host \d+: 1 done, 0 running, 0 failed/),
      );
      expect(out).toMatch(/joined .* as host \d+/);
      expect(out).not.toContain('"level":30');
    } finally {
      if (tty.pid) process.kill(-tty.pid, 'SIGKILL');
    }
  });

  it('takes the token from --token-file or --token, not both', async () => {
    const missing = await runCli([
      'provide',
      '--coordinator',
      ctx.coord.url,
      '--token-file',
      join(dir, 'none'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error ENOENT: cannot read the token file /m);
    const both = await runCli([
      'provide',
      '--coordinator',
      ctx.coord.url,
      '--token-file',
      tokenFile,
      '--token',
      'x',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^error USAGE: give the token once/m);
  });

  it('logs info JSON with --log-level info, and shows the last warning in its status', async () => {
    const agent = provide('--log-level', 'info', '--stats-interval', '200');
    await waitFor('the info log', async () =>
      agent.output().includes('"msg":"registered with the coordinator"'),
    );
    await stopProcess(ctx.coord.proc, 'SIGKILL');
    await waitFor(
      'the status to show the lost coordinator',
      async () =>
        /^host \d+: 0 done, 0 running, 0 failed; last warning \d\d:\d\d:\d\d .+$/m.test(
          agent.output(),
        ),
      30_000,
    );
  });
});

describe('anygrid provide before its coordinator is up', () => {
  const dataDir = useSharedDataDir('anygrid-provide-wait-');

  it('says it is waiting for the coordinator, then joins it once it answers', async () => {
    // A coordinator that made the token, then stopped: its port is closed, its store kept.
    const first = await startCoordinator({ dataDir });
    const token = await client(first.url, first.adminToken).token('provider');
    await stopProcess(first.proc, 'SIGTERM');
    const agent = spawnNode([CLI, 'provide', '--coordinator', first.url, '--token', token], {
      ANYGRID_LOG_LEVEL: undefined,
      ANYGRID_TOKEN: undefined,
    });
    await waitFor('the agent to say it waits', async () =>
      new RegExp(`^waiting for ${first.url}: .+; trying again in \\d+ s$`, 'm').test(
        agent.output(),
      ),
    );
    await startCoordinator({ dataDir, port: first.port });
    await waitFor(
      'the agent to join once the coordinator answers',
      async () => agent.output().includes(`joined ${first.url} as host`),
      40_000,
    );
    await stopProcess(agent.proc, 'SIGTERM');
  }, 60_000);
});
