/**
 * An agent told two coordinators over one store loses the first: replicas that
 * coordinator leased to the host but the agent never received (a pull answered as the
 * coordinator died; here taken by a protocol client with the agent's host id and token)
 * are handed back when the agent moves on and registers again with what it holds, so the
 * job finishes long before their ten-minute deadline.
 */

import { describe, expect, it } from 'vitest';
import {
  client,
  startAgent,
  startCoordinator,
  stopProcess,
  useSharedDataDir,
  waitFor,
} from './harness.js';
import { primeRanges, submitPrimes, waitForJob } from './job-flow.js';
import { inspectStore } from './store-inspect.js';

const DEADLINE_MS = 600_000;

describe('an agent that moves to another coordinator', () => {
  const dataDir = useSharedDataDir('anygrid-rejoin-');

  it('hands back at once the replicas the dead coordinator leased to it that it never got', async () => {
    const serve = () =>
      startCoordinator({ dataDir, extraArgs: ['--discovery-ms', '100', '--log-level', 'info'] });
    const a = await serve();
    const b = await serve();
    const admin = client(a.url, a.adminToken);
    const requesterToken = await admin.token('requester');
    const requester = client(a.url, requesterToken);
    const providerToken = await admin.token('provider');
    const agent = startAgent(`${a.url},${b.url}`, providerToken, { slots: 1, name: 'mover' });
    const hostId = await waitFor('the agent to join', async () => {
      const m = /joined .* as host (\d+)/.exec(agent.output());
      return m ? Number(m[1]) : undefined;
    });
    const thief = client(a.url, providerToken);

    // Replicas leased to the agent's host that the agent never sees: the thief pulls them
    // right after the submit, before the agent's own pull (tried again if the agent won).
    let jobId = 0;
    let lost: number[] = [];
    for (let attempt = 0; attempt < 5 && lost.length === 0; attempt++) {
      const job = await submitPrimes(requester, primeRanges(4, 1_000 * (attempt + 1)), {
        deadlineMs: DEADLINE_MS,
      });
      const pulled = await thief.post('/v1/work', { hostId, max: 4 });
      expect(pulled.status).toBe(200);
      jobId = job.id;
      lost = (pulled.body.assignments as { replicaId: number }[]).map((x) => x.replicaId);
      if (lost.length === 0) await waitForJob(requester, job.id, 60_000);
    }
    expect(lost.length).toBeGreaterThan(0);

    await stopProcess(a.proc, 'SIGKILL');
    await waitFor('the agent to move', async () =>
      agent.output().includes('moving to another coordinator'),
    );
    // On stdout too, for the person who started it: where it went, and why.
    await waitFor('the agent to say where it moved', async () =>
      agent.output().includes(`moved to ${b.url}: ${a.url} stopped answering`),
    );
    // Far inside the lost replicas' deadline: they were handed back, not waited out.
    const final = await waitForJob(client(b.url, requesterToken), jobId, 60_000);
    expect(final.state).toBe('completed');
    expect(final.progress).toMatchObject({ total: 4, valid: 4 });

    const store = inspectStore(dataDir);
    try {
      const states = store.query<{ state: string }>(
        `SELECT state FROM replicas WHERE id IN (${lost.map(() => '?').join(',')})`,
        ...lost,
      );
      expect(states.map((s) => s.state)).toEqual(lost.map(() => 'abandoned'));
    } finally {
      store.close();
    }
  }, 180_000);
});
