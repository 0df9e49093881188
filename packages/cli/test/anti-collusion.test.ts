/**
 * Acceptance 6 of issue 10 with real processes: after real redundancy-2 jobs, the
 * SQLite file shows that no task had replicas on two hosts of one account, nor (with
 * the one-network rule covering loopback) on two hosts of one IPv4 /24, and that each
 * host's address was recorded as the coordinator saw it.
 */

import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  client,
  countPrimes,
  killAll,
  removeDir,
  startAgent,
  startCoordinator,
  waitFor,
} from './harness.js';
import { allResults, decodeStdout, primeRanges, submitPrimes, waitForJob } from './job-flow.js';

/** Replicas that were sent (not handed back), with their host's account and address. */
function sentReplicas(dataDir: string, jobId: number) {
  const db = new Database(join(dataDir, 'anygrid.db'), { readonly: true });
  const rows = db
    .prepare(
      `SELECT r.task_id AS task, h.id AS host, h.name, h.account_id AS account, h.address
       FROM replicas r JOIN hosts h ON h.id = r.host_id
       WHERE r.job_id = ? AND r.state <> 'abandoned'`,
    )
    .all(jobId) as { task: number; host: number; name: string; account: number; address: string }[];
  db.close();
  return rows;
}

function byTask<T extends { task: number }>(rows: readonly T[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const r of rows) out.set(r.task, [...(out.get(r.task) ?? []), r]);
  return out;
}

describe('anti-collusion in the store, after real jobs', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await killAll();
    for (const d of dirs) removeDir(d);
  });

  it('never gives two hosts of one account replicas of one task', async () => {
    const coord = await startCoordinator();
    dirs.push(coord.dataDir);
    const admin = client(coord.url, coord.adminToken);
    const requester = client(coord.url, await admin.token('requester'));
    const agents: ReturnType<typeof startAgent>[] = [];
    for (const owner of ['alice', 'bob']) {
      const token = await admin.token('provider', owner);
      for (const n of [1, 2])
        agents.push(startAgent(coord.url, token, { slots: 2, name: `${owner}-${n}` }));
    }
    await waitFor('four agents to join', async () =>
      agents.every((a) => a.output().includes('joined')),
    );

    const ranges = primeRanges(60, 5_000);
    const job = await submitPrimes(requester, ranges, { redundancy: 2 });
    expect((await waitForJob(requester, job.id)).progress).toMatchObject({ total: 60, valid: 60 });
    for (const r of await allResults(requester, job.id)) {
      const [a, b] = ranges[r.index] as [number, number];
      expect(decodeStdout(r)).toBe(`${countPrimes(a, b)}\n`);
    }

    const rows = sentReplicas(coord.dataDir, job.id);
    for (const [task, replicas] of byTask(rows)) {
      const accounts = replicas.map((r) => r.account);
      expect(new Set(accounts).size, `task ${task}: ${JSON.stringify(replicas)}`).toBe(
        accounts.length,
      );
    }
    // Not vacuous: both hosts of each account did take part.
    expect(new Set(rows.map((r) => r.name))).toEqual(
      new Set(['alice-1', 'alice-2', 'bob-1', 'bob-2']),
    );
    expect(new Set(rows.map((r) => r.address))).toEqual(new Set(['127.0.0.1']));
  });

  it('with the rule covering loopback, never gives two hosts of one /24 replicas of one task', async () => {
    // Listening on :: takes IPv4 peers as ::ffff:127.0.0.1 (network 127.0.0.0/24) and
    // IPv6 peers as ::1 (another network): a pool with two networks on one machine.
    const coord = await startCoordinator({ extraArgs: ['--host', '::', '--network-rule', 'all'] });
    dirs.push(coord.dataDir);
    const v4 = `http://127.0.0.1:${coord.port}`;
    const v6 = `http://[::1]:${coord.port}`;
    const admin = client(v4, coord.adminToken);
    const requester = client(v4, await admin.token('requester'));
    const agents = [
      startAgent(v6, await admin.token('provider'), { slots: 2, name: 'six' }),
      startAgent(v4, await admin.token('provider'), { slots: 2, name: 'four-a' }),
      startAgent(v4, await admin.token('provider'), { slots: 2, name: 'four-b' }),
    ];
    await waitFor('three agents to join', async () =>
      agents.every((a) => a.output().includes('joined')),
    );

    const ranges = primeRanges(40, 5_000);
    const job = await submitPrimes(requester, ranges, { redundancy: 2 });
    expect((await waitForJob(requester, job.id)).progress).toMatchObject({ total: 40, valid: 40 });

    const rows = sentReplicas(coord.dataDir, job.id);
    const addresses = new Map(rows.map((r) => [r.name, r.address]));
    expect(addresses.get('six')).toBe('::1');
    expect(addresses.get('four-a')).toBe('::ffff:127.0.0.1');
    for (const [task, replicas] of byTask(rows)) {
      const names = replicas.map((r) => r.name);
      expect(names.includes('four-a') && names.includes('four-b'), `task ${task}: ${names}`).toBe(
        false,
      );
    }
    // Each task paired the IPv6 host with one of the two IPv4 hosts, and both took part.
    expect(new Set(rows.map((r) => r.name))).toEqual(new Set(['six', 'four-a', 'four-b']));
  });

  it('caps the hosts of one account with a clear code, while a known host registers again', async () => {
    const coord = await startCoordinator({ extraArgs: ['--max-hosts-per-account', '1'] });
    dirs.push(coord.dataDir);
    const admin = client(coord.url, coord.adminToken);
    const provider = client(coord.url, await admin.token('provider'));
    const host = { name: 'one', platform: 'linux-x64', cores: 1, memoryBytes: 1e9, slots: 1 };
    const first = await provider.post('/v1/hosts', host);
    expect(first.status).toBe(201);
    expect(await provider.post('/v1/hosts', { ...host, name: 'two' })).toMatchObject({
      status: 403,
      body: { error: { code: 'HOST_LIMIT', details: { limit: 1 } } },
    });
    const again = await provider.post('/v1/hosts', { ...host, hostId: first.body.hostId });
    expect(again).toMatchObject({ status: 201, body: { hostId: first.body.hostId } });
    // The cap is per account: another account still registers.
    const other = client(coord.url, await admin.token('provider'));
    expect((await other.post('/v1/hosts', host)).status).toBe(201);
  });
});
