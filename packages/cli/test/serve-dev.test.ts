/**
 * `anygrid serve --dev` (what `npm start` runs): dev tokens created once with mode 600
 * and reused across restarts, two local providers so redundancy 2 validates on one
 * machine, and a graceful stop that takes the providers down with it.
 */

import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { JobView } from '@anygrid/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CLI,
  EXAMPLES,
  killAll,
  REPO,
  removeDir,
  runCli,
  startCoordinator,
  stopProcess,
  tempDir,
  waitFor,
} from './harness.js';

const exec = promisify(execFile);

function childPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('anygrid serve --dev', () => {
  // A data directory serve makes itself, as `npm start` makes ./.anygrid.
  const parent = tempDir();
  const dataDir = join(parent, '.anygrid');
  afterAll(async () => {
    await killAll();
    removeDir(parent);
  });

  it('runs two providers that validate redundancy 2, restarts them, keeps its tokens, stops them on SIGTERM', async () => {
    const first = await startCoordinator({ dataDir, extraArgs: ['--dev', '--agents', '2'] });
    // Both web pages are listed with their URLs, and served.
    const pages = first.info.pages as Record<string, string>;
    expect(Object.keys(pages).sort()).toEqual(['dashboard', 'volunteer']);
    for (const url of Object.values(pages)) {
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
    }
    const requesterPath = join(dataDir, 'requester.token');
    // Each local provider has an account (and token file) of its own.
    for (const name of ['requester.token', 'provider.token', 'provider-2.token', 'admin.token']) {
      expect(statSync(join(dataDir, name)).mode & 0o777).toBe(0o600);
    }
    const token = readFileSync(requesterPath, 'utf8').trim();
    const { stdout } = await exec(
      process.execPath,
      [
        CLI,
        'submit',
        join(EXAMPLES, 'prime.wasm'),
        '--args',
        '0',
        '10000',
        '--redundancy',
        '2',
        '--wait',
        '--json',
      ],
      {
        cwd: REPO,
        env: { ...process.env, ANYGRID_URL: first.url, ANYGRID_TOKEN: token },
        timeout: 60_000,
      },
    );
    expect((JSON.parse(stdout) as JobView).progress).toMatchObject({ total: 1, valid: 1 });
    // The owner's alone: the data directory, each provider's host id and module cache.
    const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
    const agentDir = join(dataDir, 'agents', 'dev-agent-1');
    const cached = readdirSync(join(agentDir, 'blobs')).filter((f) => !f.startsWith('.'));
    expect(cached.length).toBeGreaterThan(0);
    expect({
      data: mode(dataDir),
      agent: mode(agentDir),
      hostId: mode(join(agentDir, 'host.json')),
      cache: mode(join(agentDir, 'blobs')),
      cached: [...new Set(cached.map((f) => mode(join(agentDir, 'blobs', f))))],
    }).toEqual({ data: '700', agent: '700', hostId: '600', cache: '700', cached: ['600'] });

    const pid = first.proc.pid ?? 0;
    const agents = await waitFor('two agent processes', async () => {
      const pids = childPids(pid);
      return pids.length === 2 ? pids : undefined;
    });
    // A provider that dies is restarted.
    process.kill(agents[0] ?? 0, 'SIGKILL');
    const restarted = await waitFor(
      'a dead agent to be replaced',
      async () => {
        const pids = childPids(pid);
        return pids.length === 2 && !pids.includes(agents[0] ?? 0) ? pids : undefined;
      },
      30_000,
    );

    const exited = new Promise<number | null>((resolve) =>
      first.proc.once('exit', (code) => resolve(code)),
    );
    await stopProcess(first.proc, 'SIGTERM', 30_000);
    expect(await exited).toBe(0);
    expect([...agents, ...restarted].filter(alive)).toEqual([]);

    const second = await startCoordinator({
      dataDir,
      port: first.port,
      extraArgs: ['--dev', '--agents', '1'],
    });
    expect(readFileSync(requesterPath, 'utf8').trim()).toBe(token);
    await stopProcess(second.proc, 'SIGTERM', 30_000);
  });

  it('with --agents 0 still writes provider.token, for a provider started by hand', async () => {
    const dir = join(parent, 'no-agents');
    const coord = await startCoordinator({ dataDir: dir, extraArgs: ['--dev', '--agents', '0'] });
    const providerPath = join(dir, 'provider.token');
    expect(statSync(providerPath).mode & 0o777).toBe(0o600);
    // The token is a provider's: `anygrid hosts` (provider or admin only) accepts it.
    const hosts = await runCli(['hosts', '--json', '--url', coord.url], {
      env: { ANYGRID_TOKEN: readFileSync(providerPath, 'utf8').trim() },
    });
    expect(hosts.code, hosts.stderr).toBe(0);
    expect(JSON.parse(hosts.stdout).hosts).toEqual([]);
    await stopProcess(coord.proc, 'SIGTERM', 30_000);
  });
});
