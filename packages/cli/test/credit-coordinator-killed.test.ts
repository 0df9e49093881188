/**
 * Volunteer credit when the coordinator is SIGKILLed while tasks settle, twice, and
 * restarted on the same data dir: grants ride in the transactions that validate, so every
 * validated replica is credited exactly once, and the totals of hosts, accounts and the
 * team are the sums of the grants.
 */

import { describe, expect, it } from 'vitest';
import { client, startAgent, useRestartableCoordinator, waitFor } from './harness.js';
import { primeRanges, submitPrimes, waitForJob } from './job-flow.js';
import { inspectStore } from './store-inspect.js';

const TASKS = 240;

describe('volunteer credit across coordinator crashes', () => {
  const ctx = useRestartableCoordinator();

  it('credits each validated replica once, and the totals add up to the grants', async () => {
    let { coord } = ctx;
    const admin = client(coord.url, coord.adminToken);
    const tokens = [
      await admin.token('provider', 'kill-a'),
      await admin.token('provider', 'kill-b'),
    ];
    const team = await client(coord.url, tokens[0]).post('/v1/teams', { name: 'Survivors' });
    expect(team.status).toBe(201);
    startAgent(coord.url, tokens[0] as string, { slots: 2, name: 'a' });
    startAgent(coord.url, tokens[1] as string, { slots: 2, name: 'b' });
    const requesterToken = await admin.token('requester');
    let requester = client(coord.url, requesterToken);
    const job = await submitPrimes(requester, primeRanges(TASKS, 20_000), { redundancy: 2 });
    for (const atLeast of [30, 120]) {
      await waitFor(
        `${atLeast} results`,
        async () => (await requester.get(`/v1/jobs/${job.id}`)).body.progress.valid >= atLeast,
        60_000,
        10,
      );
      coord = await ctx.restart();
      requester = client(coord.url, requesterToken);
    }
    const final = await waitForJob(requester, job.id);
    expect(final.progress).toMatchObject({ total: TASKS, valid: TASKS });

    const store = inspectStore(ctx.dataDir);
    const valid = store.query<{
      id: number;
      task_id: number;
      credit: number | null;
      claim: number;
    }>(
      `SELECT r.id, r.task_id, g.credit, g.claim FROM replicas r
         LEFT JOIN credit_grants g ON g.replica_id = r.id
       WHERE r.job_id = ? AND r.validation = 'valid' AND r.state = 'reported'`,
      job.id,
    );
    expect(valid.length).toBeGreaterThanOrEqual(2 * TASKS);
    expect(valid.filter((r) => r.credit === null)).toEqual([]);
    const grants = store.query<{ n: number }>(
      'SELECT COUNT(*) AS n FROM credit_grants WHERE job_id = ?',
      job.id,
    )[0]?.n;
    expect(grants).toBe(valid.length);
    const byTask = new Map<number, { credit: number; claim: number }[]>();
    for (const r of valid) {
      byTask.set(r.task_id, [
        ...(byTask.get(r.task_id) ?? []),
        r as { credit: number; claim: number },
      ]);
    }
    for (const quorum of byTask.values()) {
      const lowest = Math.min(...quorum.map((r) => r.claim));
      expect(quorum.every((r) => r.credit === lowest)).toBe(true);
    }
    // Each total is the sum of the grants it was made of.
    const mismatched = store.query(
      `SELECT t.kind, t.entity_id, t.total, COALESCE(SUM(g.credit), 0) AS granted
       FROM credit_totals t LEFT JOIN credit_grants g ON g.revoked_at IS NULL AND (
         (t.kind = 'host' AND g.host_id = t.entity_id) OR (t.kind = 'account' AND g.account_id = t.entity_id)
         OR (t.kind = 'team' AND g.team_id = t.entity_id))
       GROUP BY t.kind, t.entity_id, t.total HAVING t.total <> COALESCE(SUM(g.credit), 0)`,
    );
    expect(mismatched).toEqual([]);
    const kinds = store.query<{ kind: string }>('SELECT DISTINCT kind FROM credit_totals');
    expect(new Set(kinds.map((k) => k.kind))).toEqual(new Set(['host', 'account', 'team']));
    store.close();
  });
});
