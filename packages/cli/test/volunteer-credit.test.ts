/**
 * Acceptance (issue 15, 6): volunteer credit on a real coordinator, redundancy 2, with an
 * honest declared host, one that reports 100× the time it took (same speed, same correct
 * outputs), a real agent and a saboteur (the agent with corrupted outputs). Credit goes
 * only to validated replicas; each task grants every valid replica the lowest claim of
 * them; the inflater earns what its honest partner claims, no more; the saboteur earns
 * nothing; the leaderboard, the host view and the CLI add up to the grants.
 */

import { CREDIT_MICROS, REFERENCE_SPEED } from '@anygrid/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { DeclaredHost } from './declared-host.js';
import { example, runCli, startAgent, startSaboteur, useCoordinator, waitFor } from './harness.js';
import { primeRanges, submitPrimes, waitForJob } from './job-flow.js';
import { inspectStore } from './store-inspect.js';

const SPEED = 2 * REFERENCE_SPEED;
const MS = 60;
const TASKS = 60;
/** Tasks of the second job, which only the honest host and the inflater may run. */
const PAIRED = 20;
/** What the honest host claims per task: 60 ms at twice the reference speed. */
const HONEST_CLAIM = Math.floor((MS / 1000) * (SPEED / REFERENCE_SPEED) * CREDIT_MICROS);

interface GrantRow {
  replica_id: number;
  task_id: number;
  host_id: number;
  account_id: number;
  team_id: number | null;
  claim: number;
  credit: number;
  validation: string | null;
  state: string;
  host: string;
}

describe('volunteer credit (real coordinator, redundancy 2, an inflater and a saboteur)', () => {
  const ctx = useCoordinator();
  const hosts: DeclaredHost[] = [];
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
  });

  it('grants validated replicas the lowest claim of their quorum, and the leaderboard adds the grants up', async () => {
    const { coord, admin, requester } = ctx;
    const honestToken = await admin.token('provider', 'honest-vol');
    const inflaterToken = await admin.token('provider', 'inflater-vol');
    // Both declared hosts join one team before they earn anything: the team counts it all.
    const made = await runCli([
      'team',
      'create',
      'Crunchers',
      '--url',
      coord.url,
      '--token',
      honestToken,
    ]);
    expect(made.code, made.stderr).toBe(0);
    const taken = await runCli([
      'team',
      'create',
      'Crunchers',
      '--url',
      coord.url,
      '--token',
      inflaterToken,
    ]);
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toContain('CONFLICT');
    const joined = await runCli([
      'team',
      'join',
      'Crunchers',
      '--url',
      coord.url,
      '--token',
      inflaterToken,
    ]);
    expect(joined.code, joined.stderr).toBe(0);
    expect(joined.stdout).toContain('2 members');

    // The agent and the saboteur start first (they run the benchmark before they pull),
    // so that they are there when the work is.
    startAgent(coord.url, await admin.token('provider', 'agent-vol'), { slots: 2, name: 'agent' });
    startSaboteur(coord.url, await admin.token('provider', 'saboteur-vol'), 2);
    await waitFor('the agent and the saboteur to register', async () => {
      const list = await admin.get('/v1/hosts');
      const names = (list.body.hosts as { name: string }[]).map((h) => h.name);
      return names.includes('agent') && names.includes('saboteur');
    });
    for (const [name, token, reportsMs] of [
      ['honest', honestToken, MS],
      ['inflater', inflaterToken, 100 * MS],
    ] as const) {
      const h = new DeclaredHost(coord.url, token, {
        name,
        declares: { speed: SPEED, slots: 2, region: 'credit-lab' },
        msPerTask: MS,
        reportsMs,
      });
      hosts.push(h);
      await h.start();
    }

    const job = await submitPrimes(requester, primeRanges(TASKS, 2000), { redundancy: 2 });
    const final = await waitForJob(requester, job.id);
    expect(final.progress).toMatchObject({ total: TASKS, valid: TASKS });

    // A second job only the two declared hosts may run: each of its tasks pairs the
    // honest host with the inflater.
    const module = await requester.upload(example('prime.wasm'));
    const paired = await requester.post('/v1/jobs', {
      module,
      policy: { redundancy: 2 },
      requirements: { regions: ['credit-lab'] },
      tasks: primeRanges(PAIRED, 2000).map(([a, b]) => ({ args: [String(a), String(b)] })),
    });
    expect(paired.status).toBe(201);
    const pairedFinal = await waitForJob(requester, paired.body.id);
    expect(pairedFinal.progress).toMatchObject({ total: PAIRED, valid: PAIRED });

    const store = inspectStore(coord.dataDir);
    const rows = store.query<GrantRow>(
      `SELECT r.id AS replica_id, r.task_id, r.host_id, g.account_id, g.team_id, g.claim, g.credit,
              r.validation, r.state, h.name AS host
       FROM replicas r JOIN hosts h ON h.id = r.host_id
         LEFT JOIN credit_grants g ON g.replica_id = r.id
       WHERE r.job_id IN (?, ?) AND r.host_id IS NOT NULL`,
      job.id,
      paired.body.id,
    );
    const valid = rows.filter((r) => r.validation === 'valid' && r.state === 'reported');
    const others = rows.filter((r) => !(r.validation === 'valid' && r.state === 'reported'));
    // Only validated replicas are credited, each once (replica_id is the grant's key).
    expect(valid.length).toBeGreaterThanOrEqual(2 * (TASKS + PAIRED));
    expect(valid.every((r) => r.credit !== null)).toBe(true);
    expect(others.filter((r) => r.credit !== null)).toEqual([]);
    // The saboteur was caught and earned nothing.
    const sabotaged = rows.filter((r) => r.host === 'saboteur');
    expect(sabotaged.some((r) => r.validation === 'invalid')).toBe(true);
    expect(sabotaged.filter((r) => r.credit !== null && r.credit > 0)).toEqual([]);

    // Each task grants each of its valid replicas the lowest of their claims.
    const byTask = new Map<number, GrantRow[]>();
    for (const r of valid) byTask.set(r.task_id, [...(byTask.get(r.task_id) ?? []), r]);
    expect(byTask.size).toBe(TASKS + PAIRED);
    for (const quorum of byTask.values()) {
      const lowest = Math.min(...quorum.map((r) => r.claim));
      expect(quorum.map((r) => r.credit)).toEqual(quorum.map(() => lowest));
    }
    // The honest host's claim is exactly what it took at its speed; the inflater claimed
    // more, yet with the honest host it got exactly the honest claim.
    const honest = valid.filter((r) => r.host === 'honest');
    const inflater = valid.filter((r) => r.host === 'inflater');
    expect(honest.length).toBeGreaterThan(0);
    expect(inflater.length).toBeGreaterThan(0);
    expect(honest.every((r) => r.claim === HONEST_CLAIM)).toBe(true);
    expect(inflater.every((r) => r.claim >= HONEST_CLAIM)).toBe(true);
    let pairedWithHonest = 0;
    for (const r of inflater) {
      const partners = (byTask.get(r.task_id) ?? []).filter((p) => p.host !== 'inflater');
      // Whoever its partner, the inflater never gets more than the partner claimed.
      expect(r.credit).toBeLessThanOrEqual(Math.min(...partners.map((p) => p.claim)));
      if (partners.some((p) => p.host === 'honest')) {
        pairedWithHonest++;
        expect(r.credit).toBe(HONEST_CLAIM);
      }
    }
    // Every task of the second job paired them: the inflater got exactly the honest claim.
    expect(pairedWithHonest).toBeGreaterThanOrEqual(PAIRED);
    console.log(
      `credit: ${valid.length} valid replicas credited, ${others.length} others not; honest ${honest.length}, inflater ${inflater.length} (${pairedWithHonest} with honest), claims inflater max ${Math.max(...inflater.map((r) => r.claim))} vs honest ${HONEST_CLAIM}`,
    );

    // The leaderboard's totals are the sums of the grants, by host, account and team.
    const sum = (pick: (r: GrantRow) => number | null) => {
      const out = new Map<number, number>();
      for (const r of valid) {
        const k = pick(r);
        if (k !== null && r.credit > 0) out.set(k, (out.get(k) ?? 0) + r.credit);
      }
      return out;
    };
    for (const [by, expected] of [
      ['host', sum((r) => r.host_id)],
      ['account', sum((r) => r.account_id)],
      ['team', sum((r) => r.team_id)],
    ] as const) {
      const board = await requester.get(`/v1/leaderboard?by=${by}&limit=1000`);
      expect(board.status).toBe(200);
      const got = new Map<number, number>(
        board.body.entries.map((e: { id: number; credit: { totalMicro: number } }) => [
          e.id,
          e.credit.totalMicro,
        ]),
      );
      expect(got).toEqual(expected);
    }
    const teamBoard = await requester.get('/v1/leaderboard?by=team&order=recent');
    expect(teamBoard.body.entries[0]).toMatchObject({ rank: 1, name: 'Crunchers' });
    expect(teamBoard.body.entries[0].credit.recentPerDay).toBeGreaterThan(0);
    // A bad query is refused with a stable code.
    const bad = await requester.get('/v1/leaderboard?by=planet');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_REQUEST');
    for (const body of [{ name: '' }, { name: ' padded ' }, { name: 'x', extra: 1 }]) {
      const refused = await requester.post('/v1/teams', body);
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('INVALID_REQUEST');
    }
    const nowhere = await requester.post('/v1/teams/join', { name: 'Nobody' });
    expect(nowhere.status).toBe(404);
    expect(nowhere.body.error.code).toBe('NOT_FOUND');
    const anonymous = await fetch(`${coord.url}/v1/leaderboard`);
    expect(anonymous.status).toBe(401);

    // The host view and the CLI show the same credit.
    const honestId = honest[0]?.host_id as number;
    const view = await admin.get(`/v1/hosts/${honestId}`);
    expect(view.body.credit.totalMicro).toBe(sum((r) => r.host_id).get(honestId));
    const hostCli = await runCli([
      'host',
      String(honestId),
      '--url',
      coord.url,
      '--token',
      honestToken,
    ]);
    expect(hostCli.code, hostCli.stderr).toBe(0);
    expect(hostCli.stdout).toMatch(/credit\s+\d+\.\d\d credits/);
    // The host list too, for every host, in the API and in its CREDIT column.
    const byHost = sum((r) => r.host_id);
    const listed = (await admin.get('/v1/hosts')).body.hosts as {
      id: number;
      name: string;
      credit: { totalMicro: number };
    }[];
    for (const h of listed) expect(h.credit.totalMicro, h.name).toBe(byHost.get(h.id) ?? 0);
    const listCli = await runCli(['hosts', '--url', coord.url, '--token', honestToken]);
    expect(listCli.code, listCli.stderr).toBe(0);
    const [header, ...lines] = listCli.stdout.split('\n');
    const column = (header ?? '').indexOf('CREDIT') + 'CREDIT'.length;
    const own = lines.find((l) => l.trim().startsWith(`${honestId} `));
    expect(own?.slice(column - 10, column).trim(), listCli.stdout).toBe(
      ((byHost.get(honestId) ?? 0) / 1e6).toFixed(2),
    );
    const cli = await runCli([
      'leaderboard',
      '--by',
      'host',
      '--json',
      '--url',
      coord.url,
      '--token',
      honestToken,
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    const parsed = JSON.parse(cli.stdout) as { entries: { name: string }[] };
    expect(parsed.entries.map((e) => e.name)).not.toContain('saboteur');
    const table = await runCli([
      'leaderboard',
      '--recent',
      '--url',
      coord.url,
      '--token',
      honestToken,
    ]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('honest-vol');
    store.close();
  });
});
