/**
 * @module
 * Real processes for benchmarks: a coordinator (`anygrid serve --json`) and provider
 * agents (`anygrid provide`) on 127.0.0.1, started from the built CLI and killed at
 * the end. Benchmarks measure the same programs a user runs.
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(REPO, 'packages/cli/bin/anygrid.js');
const live = new Set();

function spawnCli(args, nodeArgs = []) {
  const proc = spawn(process.execPath, [...nodeArgs, CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, ANYGRID_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  live.add(proc);
  proc.on('exit', () => live.delete(proc));
  return proc;
}

/**
 * Starts a coordinator on a fresh data dir; resolves once it listens. `nodeArgs` go to
 * its Node process (e.g. `--cpu-prof` when looking for where the time goes), `args` to
 * `anygrid serve` (e.g. `--retention 5s`).
 */
export async function startCoordinator({ nodeArgs = profileArgs(), args = [] } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'anygrid-bench-'));
  const proc = spawnCli(['serve', '--data', dataDir, '--port', '0', '--json', ...args], nodeArgs);
  const line = await new Promise((res, rej) => {
    const rl = createInterface({ input: proc.stdout });
    rl.on('line', (l) => l.startsWith('{') && res(JSON.parse(l)));
    proc.once('exit', (code) => rej(new Error(`coordinator exited with ${code}`)));
  });
  const adminToken = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  const token = async (role) => {
    const r = await fetch(`${line.url}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role }),
    });
    return (await r.json()).token;
  };
  /** Credits the account of a token with `micros` (a paid job reserves its escrow at submit). */
  const fund = async (tokenOf, micros) => {
    const who = await fetch(`${line.url}/v1/whoami`, {
      headers: { authorization: `Bearer ${tokenOf}` },
    });
    const { accountId } = await who.json();
    const r = await fetch(`${line.url}/v1/accounts/${accountId}/credit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: micros, idempotencyKey: `bench-fund-${accountId}` }),
    });
    if (r.status !== 200) throw new Error(`credit answered ${r.status}: ${await r.text()}`);
  };
  return {
    url: line.url,
    pid: proc.pid,
    dataDir,
    token,
    fund,
    async stop() {
      await stop(proc);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `ANYGRID_BENCH_PROFILE=DIR` writes a CPU profile of each coordinator and agent to DIR. */
function profileArgs() {
  const dir = process.env.ANYGRID_BENCH_PROFILE;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/**
 * Starts `count` agent processes and waits until each has registered its host. `token`
 * is one provider token, or a function giving agent i its own (hosts of one account
 * never share a task, so redundancy 2 needs an account per agent). `args`: more
 * `provide` options (e.g. `--ask-cpu`).
 */
export async function startAgents(url, token, count, slots, args = []) {
  const tokens = await Promise.all(
    Array.from({ length: count }, (_, i) => (typeof token === 'function' ? token(i) : token)),
  );
  const procs = Array.from({ length: count }, (_, i) =>
    spawnCli(
      [
        'provide',
        '--coordinator',
        url,
        '--token',
        tokens[i],
        '--slots',
        String(slots),
        '--name',
        `bench-${i}`,
        '--json',
        ...args,
      ],
      profileArgs(),
    ),
  );
  // The work stream needs a moment to connect; give agents time to register.
  await new Promise((r) => setTimeout(r, 1500));
  return { pids: procs.map((p) => p.pid), stop: () => Promise.all(procs.map((p) => stop(p))) };
}

async function stop(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

export function killAll() {
  for (const p of live) p.kill('SIGKILL');
}
process.on('exit', killAll);
