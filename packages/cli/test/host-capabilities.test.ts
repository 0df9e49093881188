/**
 * Host capabilities (issue 12) with real processes: an agent registers with the speed it
 * measured on the standard WASM benchmark, the free disk of its cache and the region it
 * was given; after it ran a job the coordinator shows what it measured of the host
 * (turnaround, on-time rate, availability) through the API and `anygrid hosts`; an agent
 * started with --no-benchmark reports no speed.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CoordinatorProcess,
  client,
  killAll,
  removeDir,
  runCli,
  startAgent,
  startCoordinator,
  tempDir,
  waitFor,
} from './harness.js';
import { primeRanges, submitPrimes, waitForJob } from './job-flow.js';

describe('host capabilities', () => {
  let coord: CoordinatorProcess;
  let admin: ReturnType<typeof client>;
  let providerToken: string;
  let requester: ReturnType<typeof client>;
  const cache = tempDir('anygrid-caps-cache-');

  beforeAll(async () => {
    // Short heartbeats: a figure measured after registration arrives within a second.
    coord = await startCoordinator({ extraArgs: ['--heartbeat-ms', '1000'] });
    admin = client(coord.url, coord.adminToken);
    providerToken = await admin.token('provider');
    requester = client(coord.url, await admin.token('requester'));
  });
  afterAll(async () => {
    await killAll();
    removeDir(coord.dataDir);
    removeDir(cache);
  });

  const hostNamed = async (name: string) => {
    const r = await admin.get('/v1/hosts');
    expect(r.status).toBe(200);
    return (r.body.hosts as any[]).find((h) => h.name === name);
  };

  it('registers speed, free disk and region, and shows turnaround, on-time rate and availability after a job', async () => {
    const agent = startAgent(coord.url, providerToken, {
      slots: 2,
      name: 'measured',
      extraArgs: ['--region', 'eu-west', '--cache', cache],
    });
    await waitFor('the agent to join', async () => agent.output().includes('joined'));
    const joined = await waitFor('its speed', async () => {
      const h = await hostNamed('measured');
      return h?.speed !== null && h;
    });
    expect(joined.speed).toBeGreaterThan(0);
    expect(joined.freeDiskBytes).toBeGreaterThan(0);
    expect(joined.region).toBe('eu-west');
    // No nvidia-smi on the test machine: no accelerators, and the agent started anyway.
    expect(Array.isArray(joined.accelerators)).toBe(true);
    // Nothing ran yet; connected since it registered.
    expect(joined.measured).toMatchObject({
      turnaroundMs: null,
      onTimeRate: null,
      availability: 1,
    });

    const job = await submitPrimes(requester, primeRanges(8, 20_000), { redundancy: 1 });
    expect((await waitForJob(requester, job.id)).progress).toMatchObject({ valid: 8 });
    const after = await hostNamed('measured');
    expect(after.replicas.alone).toBe(8);
    expect(after.measured.turnaroundMs).toBeGreaterThan(0);
    expect(after.measured.onTimeRate).toBe(1);
    expect(after.measured.availability).toBeGreaterThan(0);

    // The table and --json of `anygrid hosts` carry them.
    const env = { ANYGRID_URL: coord.url, ANYGRID_TOKEN: coord.adminToken };
    const table = await runCli(['hosts'], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/REGION\s+SPEED\s+ACCEL.*ON-TIME\s+AVAIL\s+TURNAROUND/);
    expect(table.stdout).toMatch(
      new RegExp(
        `^\\s*${after.id}\\s+online\\s+.*\\seu-west\\s+[0-9.]+[kMGT]?\\s.*\\s100%\\s+100%\\s.*measured$`,
        'm',
      ),
    );
    const json = await runCli(['hosts', '--json'], { env });
    const listed = (JSON.parse(json.stdout).hosts as any[]).find((h) => h.id === after.id);
    expect(listed).toMatchObject({ region: 'eu-west', measured: { onTimeRate: 1 } });
    expect(listed.speed).toBeGreaterThan(0);
    const one = await runCli(['host', String(after.id)], { env });
    expect(one.stdout).toMatch(/ops\/s on the standard benchmark; region eu-west; free disk/);
    expect(one.stdout).toMatch(/measured\s+turnaround \d/);

    // A heartbeat's update replaces what it names and keeps the rest.
    const provider = client(coord.url, providerToken);
    const beat = await provider.post('/v1/heartbeat', {
      hostId: after.id,
      replicaIds: [],
      update: { freeDiskBytes: 123_456_789 },
    });
    expect(beat.status).toBe(200);
    expect(await hostNamed('measured')).toMatchObject({
      freeDiskBytes: 123_456_789,
      speed: listed.speed,
    });
  });

  it('reports no speed with --no-benchmark, and refuses a region the protocol would not take', async () => {
    const agent = startAgent(coord.url, providerToken, {
      slots: 1,
      name: 'unbenched',
      extraArgs: ['--no-benchmark'],
    });
    await waitFor('the agent to join', async () => agent.output().includes('joined'));
    const h = await hostNamed('unbenched');
    expect(h).toMatchObject({ speed: null, region: null });
    expect(h.freeDiskBytes).toBeGreaterThan(0);

    const bad = await runCli(
      ['provide', '--coordinator', coord.url, '--token', providerToken, '--region', 'EU West'],
      {},
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--region.*like eu-west/);
  });
});
