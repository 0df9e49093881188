/**
 * Acceptance 7 of issue 10, and hoarding, with real processes: reputation counts and
 * quarantine are visible through GET /v1/hosts and the CLI (a provider sees its own
 * hosts, an admin all), a quarantined host gets no work until an admin releases it, and
 * hosts of one account that pull work and never answer cannot make a task fail.
 */

import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { client, runCli, startAgent, stopProcess, useCoordinator, waitFor } from './harness.js';
import { primeRanges, submitPrimes, waitForJob } from './job-flow.js';

const HOST = { platform: 'linux-x64', cores: 1, memoryBytes: 1e9, slots: 1 };

describe('host reputation through the API and the CLI', () => {
  const ctx = useCoordinator();

  it('shows counts and quarantine, keeps a quarantined host idle, and releases it', async () => {
    const { coord, admin, requester, providerToken } = ctx;
    const other = await ctx.admin.token('provider');
    const agents = [
      startAgent(coord.url, providerToken, { slots: 2, name: 'mine' }),
      startAgent(coord.url, other, { slots: 2, name: 'theirs' }),
    ];
    await waitFor('two agents to join', async () =>
      agents.every((a) => a.output().includes('joined')),
    );
    const job = await submitPrimes(requester, primeRanges(20, 2_000), { redundancy: 2 });
    expect((await waitForJob(requester, job.id)).progress).toMatchObject({ valid: 20 });

    const all = await admin.get('/v1/hosts');
    expect(all.status).toBe(200);
    const hosts = all.body.hosts as any[];
    const mine = hosts.find((h) => h.name === 'mine');
    const theirs = hosts.find((h) => h.name === 'theirs');
    // Each task ran once on each host, and the two agreed.
    for (const h of [mine, theirs]) {
      expect(h.replicas).toMatchObject({ valid: 20, invalid: 0, errored: 0, timedOut: 0 });
      expect(h.reputation.score).toBeCloseTo(21 / 22);
      expect(h.quarantine).toBeNull();
      expect(h.address).toBe('127.0.0.1');
    }
    expect(all.body.accounts).toHaveLength(2);

    const asProvider = client(coord.url, providerToken);
    const own = await asProvider.get('/v1/hosts');
    expect((own.body.hosts as any[]).map((h) => h.name)).toEqual(['mine']);
    expect(await asProvider.get(`/v1/hosts/${theirs.id}`)).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND' } },
    });
    expect(await asProvider.post(`/v1/hosts/${mine.id}/release`)).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN' } },
    });
    expect(await requester.get('/v1/hosts')).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN' } },
    });
    expect(await admin.get('/v1/hosts/999999')).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND' } },
    });

    // Quarantine as the validator would record it: straight into the store's file.
    const db = new Database(join(coord.dataDir, 'anygrid.db'));
    db.prepare(
      `UPDATE hosts SET quarantined_at = ?, quarantine_reason = 'test: caught cheating' WHERE id = ?`,
    ).run(Date.now(), mine.id);
    const env = { ANYGRID_URL: coord.url, ANYGRID_TOKEN: coord.adminToken };
    const table = await runCli(['hosts'], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^\\s*${mine.id}\\s+quarantined\\s+.*mine$`, 'm'));
    expect(table.stdout).toMatch(
      new RegExp(
        `^\\s*${theirs.id}\\s+online\\s+.*\\s20\\s+0\\s+0\\s+0\\s+0\\.95\\s.*theirs$`,
        'm',
      ),
    );
    const detail = await runCli(['host', String(mine.id), '--json'], { env });
    expect(JSON.parse(detail.stdout)).toMatchObject({
      id: mine.id,
      replicas: { valid: 20 },
      quarantine: { reason: 'test: caught cheating' },
    });
    const text = await runCli(['host', String(mine.id)], { env });
    expect(text.stdout).toMatch(/quarantined/);
    expect(text.stdout).toMatch(/20 valid, 0 invalid/);
    // The quota line says what it counts: its 20 answered replicas were given back.
    expect(text.stdout).toMatch(
      /quota {6}0\/\d+ today \(UTC\) in unanswered, errored or timed-out/,
    );
    const metrics = await admin.get('/metrics');
    expect(metrics.body).toMatch(/anygrid_hosts\{state="quarantined"\} 1/);
    expect(metrics.body).toMatch(/anygrid_replica_outcomes_total\{outcome="valid"\} 40/);

    // Only the quarantined host is left: its job waits, unsent.
    await stopProcess(agents[1]!.proc);
    const waiting = await submitPrimes(requester, primeRanges(10, 1_000), { redundancy: 1 });
    await new Promise((r) => setTimeout(r, 3_000));
    const sentTo = db
      .prepare('SELECT COUNT(*) FROM replicas WHERE job_id = ? AND host_id IS NOT NULL')
      .pluck();
    expect(sentTo.get(waiting.id)).toBe(0);
    expect((await requester.get(`/v1/jobs/${waiting.id}`)).body.progress).toMatchObject({
      valid: 0,
      pending: 10,
    });

    const refused = await runCli(['host', String(mine.id), '--release'], {
      env: { ...env, ANYGRID_TOKEN: providerToken },
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/FORBIDDEN/);
    const released = await runCli(['host', String(mine.id), '--release', '--json'], { env });
    expect(JSON.parse(released.stdout)).toMatchObject({
      released: true,
      host: { quarantine: null },
    });
    // Released, the host is told of the waiting work and runs all of it.
    expect((await waitForJob(requester, waiting.id)).progress).toMatchObject({ valid: 10 });
    const onMine = db
      .prepare('SELECT COUNT(*) FROM replicas WHERE job_id = ? AND host_id = ?')
      .pluck();
    expect(onMine.get(waiting.id, mine.id)).toBe(10);
    db.close();
    await Promise.all(agents.map((a) => stopProcess(a.proc)));
  });

  it('lets no account of hoarders fail a task by pulling work and never answering', async () => {
    const { coord, admin, requester } = ctx;
    const hoarderToken = await admin.token('provider', 'hoarders');
    const hoarder = client(coord.url, hoarderToken);
    const hoarders: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await hoarder.post('/v1/hosts', { ...HOST, name: `hoarder-${i}` });
      expect(r.status).toBe(201);
      hoarders.push(r.body.hostId);
    }
    // maxErrors 1: before failures were counted per account, two timeouts failed a task.
    const ranges = primeRanges(12, 1_000);
    const job = await submitPrimes(requester, ranges, {
      redundancy: 1,
      deadlineMs: 1_000,
      maxErrors: 1,
    });
    const pulled = new Map<number, number>();
    const until = Date.now() + 5_000;
    while (Date.now() < until) {
      for (const hostId of hoarders) {
        const w = await hoarder.post('/v1/work', { hostId, max: 20 });
        expect(w.status).toBe(200);
        for (const a of w.body.assignments as { taskId: number }[])
          pulled.set(a.taskId, (pulled.get(a.taskId) ?? 0) + 1);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    // The hoarders held every task, most of them more than once in a row.
    expect(pulled.size).toBe(12);
    expect([...pulled.values()].filter((n) => n >= 2).length).toBeGreaterThan(0);
    const honest = await admin.token('provider', 'honest');
    startAgent(coord.url, honest, { slots: 2, name: 'honest' });
    const final = await waitForJob(requester, job.id);
    expect(final.progress).toMatchObject({ total: 12, valid: 12, failed: 0 });

    const { hosts } = (await admin.get('/v1/hosts')).body as { hosts: any[] };
    const theirs = hosts.filter((h) => h.account.name === 'hoarders');
    const timedOut = theirs.reduce((n, h) => n + h.replicas.timedOut, 0);
    expect(timedOut).toBeGreaterThanOrEqual([...pulled.values()].reduce((a, b) => a + b, 0) - 12);
    // Timeouts lowered their reputation, their quota and what a pull brings them.
    for (const h of theirs.filter((x) => x.replicas.timedOut > 0)) {
      expect(h.reputation.score).toBeLessThan(0.5);
      expect(h.quota.perDay).toBeLessThan(2_000);
    }
    const account = ((await admin.get('/v1/hosts')).body.accounts as any[]).find(
      (a) => a.name === 'hoarders',
    );
    expect(account).toMatchObject({ hosts: 6, replicas: { timedOut } });
  });
});
