import { describe, expect, it } from 'vitest';
import { client, sha256, useRestartableCoordinator, waitFor } from './harness.js';
import { primeRanges, submitPrimes } from './job-flow.js';

/**
 * A provider speaking the bare protocol: it registers (again, under its id, with what it
 * says it holds), pulls, reports what the test says, and otherwise stays silent.
 */
function craftedProvider(url: string, token: string, name: string) {
  const c = client(url, token);
  let hostId: number | undefined;
  const host = { name, platform: 'linux-x64', cores: 1, memoryBytes: 1 << 30, slots: 2 };
  return {
    c,
    get hostId() {
      return hostId as number;
    },
    async register(extra: Record<string, unknown> = {}) {
      const r = await c.post('/v1/hosts', { ...host, ...(hostId ? { hostId } : {}), ...extra });
      if (r.status !== 201) throw new Error(`register: ${r.status} ${JSON.stringify(r.body)}`);
      hostId = r.body.hostId;
      return r;
    },
    async pull(max: number): Promise<{ replicaId: number; taskId: number }[]> {
      const r = await c.post('/v1/work', { hostId, max });
      if (r.status !== 200) throw new Error(`work: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.assignments;
    },
    async heartbeat(replicaIds: number[]) {
      const r = await c.post('/v1/heartbeat', { hostId, replicaIds });
      if (r.status !== 200) throw new Error(`heartbeat: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body as { extended: { replicaId: number }[]; cancel: number[] };
    },
    async report(replicaIds: number[]) {
      const out = Buffer.from('42\n');
      const stdout = { hash: sha256(out), size: out.byteLength, data: out.toString('base64') };
      const reports = replicaIds.map((replicaId) => ({
        replicaId,
        status: 'success',
        exitCode: 0,
        stdout,
        stderr: null,
        durationMs: 5,
      }));
      const r = await c.post('/v1/reports', { hostId, reports });
      if (r.status !== 200) throw new Error(`report: ${r.status} ${JSON.stringify(r.body)}`);
      return (r.body.results as { status: string }[]).map((x) => x.status);
    },
  };
}

describe('leases under churn, through the protocol', () => {
  // Heartbeats every 500 ms: a host silent for 1.5 s loses its replicas.
  const ctx = useRestartableCoordinator(['--heartbeat-ms', '500']);

  it('a host registering again under its id keeps what it holds and hands back the rest at once', async () => {
    const { coord } = ctx;
    const admin = client(coord.url, coord.adminToken);
    const requester = client(coord.url, await admin.token('requester'));
    const a = craftedProvider(coord.url, await admin.token('provider'), 'restarted');
    const b = craftedProvider(coord.url, await admin.token('provider'), 'other');
    await a.register();
    await b.register();
    const job = await submitPrimes(requester, primeRanges(4, 100));
    const held = await a.pull(4);
    expect(held).toHaveLength(4);
    const [kept, ...lost] = held.map((x) => x.replicaId) as [number, ...number[]];

    // A list past the protocol's bound is refused before anything changes.
    const tooMany = await a.c.post('/v1/hosts', {
      name: 'restarted',
      platform: 'linux-x64',
      cores: 1,
      memoryBytes: 1 << 30,
      slots: 2,
      hostId: a.hostId,
      holding: Array.from({ length: 10_001 }, (_, i) => i + 1),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe('INVALID_REQUEST');
    expect(await b.pull(10)).toEqual([]);

    // The agent restarted and kept one finished result: the other three go to b now,
    // not after the 10-minute lease.
    const again = await a.register({ holding: [kept] });
    expect(again.body.hostId).toBe(a.hostId);
    const taken = await b.pull(10);
    expect(taken.map((x) => x.taskId).sort()).toEqual(
      held
        .slice(1)
        .map((x) => x.taskId)
        .sort(),
    );
    expect(await a.report([kept])).toEqual(['accepted']);
    expect(await b.report(taken.map((x) => x.replicaId))).toEqual([
      'accepted',
      'accepted',
      'accepted',
    ]);
    // What a handed back counts only while its task is open; b settled it first.
    expect(await a.report([lost[0] as number])).toEqual(['late']);
    const done = await requester.get(`/v1/jobs/${job.id}`);
    expect(done.body).toMatchObject({ state: 'completed', progress: { valid: 4 } });
  });

  it('a host silent for a few heartbeats loses its replicas, and its late report still counts', async () => {
    const { coord } = ctx;
    const admin = client(coord.url, coord.adminToken);
    const requester = client(coord.url, await admin.token('requester'));
    const quiet = craftedProvider(coord.url, await admin.token('provider'), 'quiet');
    const busy = craftedProvider(coord.url, await admin.token('provider'), 'busy');
    await quiet.register();
    await busy.register();
    const job = await submitPrimes(requester, primeRanges(2, 100));
    const held = await quiet.pull(2);
    expect(held).toHaveLength(2);
    const silentFrom = Date.now();
    // busy keeps pulling (and so is seen); quiet says nothing.
    const reissued = await waitFor(
      'the silent host’s tasks to be reissued',
      async () => {
        const got = await busy.pull(10);
        return got.length > 0 ? got : undefined;
      },
      20_000,
      100,
    );
    // 3 heartbeats of 500 ms, plus a sweep; never the 10-minute lease.
    expect(Date.now() - silentFrom).toBeGreaterThanOrEqual(1500);
    expect(Date.now() - silentFrom).toBeLessThan(10_000);
    expect(reissued.map((x) => x.taskId).sort()).toEqual(held.map((x) => x.taskId).sort());
    // quiet comes back before the reissued replicas report: its results still count.
    expect(await quiet.report(held.map((x) => x.replicaId))).toEqual(['accepted', 'accepted']);
    const done = await requester.get(`/v1/jobs/${job.id}`);
    expect(done.body).toMatchObject({ state: 'completed', progress: { valid: 2 } });
  });

  it('replicas a heartbeat leaves out go to another host a few heartbeats after they were sent', async () => {
    const { coord } = ctx;
    const admin = client(coord.url, coord.adminToken);
    const requester = client(coord.url, await admin.token('requester'));
    const forgetful = craftedProvider(coord.url, await admin.token('provider'), 'forgetful');
    const busy = craftedProvider(coord.url, await admin.token('provider'), 'busy-2');
    await forgetful.register();
    await busy.register();
    const job = await submitPrimes(requester, primeRanges(3, 100));
    const sent = await forgetful.pull(3);
    expect(sent).toHaveLength(3);
    // The answer that carried two of them "never arrived": the host keeps beating with
    // only the first, so it is never silent — only its list tells what it lacks.
    const [kept, ...missing] = sent as [(typeof sent)[number], ...typeof sent];
    const sentAt = Date.now();
    let beats = 0;
    const reissued = await waitFor(
      'the missing replicas to be reissued',
      async () => {
        const beat = await forgetful.heartbeat([kept.replicaId]);
        beats++;
        expect(beat.extended.map((e) => e.replicaId)).toEqual([kept.replicaId]);
        const got = await busy.pull(10);
        return got.length > 0 ? got : undefined;
      },
      20_000,
      100,
    );
    // Not before a host may stay silent (3 heartbeats of 500 ms), nor at the deadline.
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1500);
    expect(Date.now() - sentAt).toBeLessThan(10_000);
    expect(beats).toBeGreaterThan(3);
    expect(reissued.map((x) => x.taskId).sort()).toEqual(missing.map((x) => x.taskId).sort());
    const metrics = await fetch(`${coord.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^anygrid_replicas_lost_total 2$/m);
    expect(await forgetful.report([kept.replicaId])).toEqual(['accepted']);
    expect(await busy.report(reissued.map((x) => x.replicaId))).toEqual(['accepted', 'accepted']);
    const done = await requester.get(`/v1/jobs/${job.id}`);
    expect(done.body).toMatchObject({ state: 'completed', progress: { valid: 3 } });
  });
});
