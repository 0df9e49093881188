import { describe, expect, it } from 'vitest';
import {
  client,
  countPrimes,
  removeDir,
  type Spawned,
  startAgent,
  stopProcess,
  tempDir,
  useRestartableCoordinator,
  waitFor,
} from './harness.js';
import { allResults, decodeStdout, primeRanges, submitPrimes } from './job-flow.js';
import { inspectStore } from './store-inspect.js';

/** Tasks of a few milliseconds each: 3000 of them at redundancy 2 take tens of seconds on 3 agents. */
const TASKS = 3000;
const WIDTH = 2000;

describe('liveness under churn (issue 11, acceptance 1)', () => {
  // Heartbeats every second: a host silent for 3 s loses its replicas.
  const ctx = useRestartableCoordinator(['--heartbeat-ms', '1000']);

  it('finishes a job despite 5 coordinator and 2 agent SIGKILLs within 1.5x an undisturbed run, every result once', async () => {
    let { coord } = ctx;
    const admin = client(coord.url, coord.adminToken);
    const requester = client(coord.url, await admin.token('requester'));
    // One account per host, so a task's two replicas may go to any two of them; each
    // keeps its host id in its cache dir and registers under it again after a kill.
    const agents: { name: string; token: string; cache: string; proc?: Spawned }[] = [];
    for (const name of ['a', 'b', 'c']) {
      agents.push({ name, token: await admin.token('provider'), cache: tempDir('anygrid-cache-') });
    }
    const launch = (agent: (typeof agents)[number]) => {
      agent.proc = startAgent(coord.url, agent.token, {
        slots: 1,
        name: agent.name,
        // A few seconds of work buffered per slot: an agent computes through a coordinator
        // restart and reports when it is back (the offline work of issue 11).
        extraArgs: [
          '--cache',
          agent.cache,
          '--buffer-min-seconds',
          '3',
          '--buffer-max-seconds',
          '6',
        ],
      });
    };
    for (const agent of agents) launch(agent);
    await waitFor('three hosts to join', async () => {
      const r = await admin.get('/v1/hosts');
      return r.body.hosts?.length === 3;
    });

    const run = async (offset: number, chaos?: (done: () => boolean) => Promise<void>) => {
      const ranges = primeRanges(TASKS, WIDTH).map(
        ([a, b]) => [a + offset, b + offset] as [number, number],
      );
      const started = Date.now();
      const job = await submitPrimes(requester, ranges, { redundancy: 2 });
      let finished = false;
      const disturbing = chaos?.(() => finished);
      const final = await waitFor(
        `job ${job.id} to finish`,
        // The coordinator may be down at any poll: a refused connection is not an answer.
        async () => {
          const r = await requester.get(`/v1/jobs/${job.id}`).catch(() => undefined);
          return r?.status === 200 && r.body.state !== 'running' ? r.body : undefined;
        },
        240_000,
        100,
      );
      const took = Date.now() - started;
      finished = true;
      await disturbing;
      return { job, final, ranges, took };
    };

    const calm = await run(1_000_000);
    expect(calm.final.progress).toMatchObject({ total: TASKS, valid: TASKS });

    let coordinatorKills = 0;
    let agentKills = 0;
    const victim = agents[2] as (typeof agents)[number];
    // Spread over the first two thirds of the undisturbed run's length: the coordinator
    // killed at every eighth of it, the victim agent between the first and second
    // coordinator kills and again between the third and fourth.
    const plan: { at: number; act: () => Promise<void> }[] = [
      ...[1, 2, 3, 4, 5].map((k) => ({
        at: (k / 8) * calm.took,
        act: async () => {
          coord = await ctx.restart();
          coordinatorKills++;
        },
      })),
      ...[1.5, 3.5].map((k) => ({
        at: (k / 8) * calm.took,
        act: async () => {
          await stopProcess(victim.proc?.proc as Spawned['proc'], 'SIGKILL');
          launch(victim);
          agentKills++;
        },
      })),
    ].sort((x, y) => x.at - y.at);
    const chaotic = await run(3_000_000, async (done) => {
      const started = Date.now();
      for (const step of plan) {
        const wait = started + step.at - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (done()) break;
        await step.act();
      }
    });
    // Every kill landed before the job finished, or the comparison says nothing.
    expect(coordinatorKills).toBe(5);
    expect(agentKills).toBe(2);
    expect(chaotic.final.progress).toMatchObject({ total: TASKS, valid: TASKS });
    console.info(
      `undisturbed ${calm.took} ms, with 5 coordinator and 2 agent kills ${chaotic.took} ms ` +
        `(${(chaotic.took / calm.took).toFixed(2)}x)`,
    );
    expect(chaotic.took).toBeLessThanOrEqual(1.5 * calm.took);

    // Every result exactly once, and right.
    const results = await allResults(requester, chaotic.job.id);
    expect(results).toHaveLength(TASKS);
    expect(new Set(results.map((r) => r.index)).size).toBe(TASKS);
    for (const r of results) {
      const [a, b] = chaotic.ranges[r.index] as [number, number];
      expect(decodeStdout(r)).toBe(`${countPrimes(a, b)}\n`);
    }
    const store = inspectStore(ctx.dataDir);
    const { cursors, counter } = store.settledCursors(chaotic.job.id);
    expect(cursors.size).toBe(TASKS);
    expect(new Set(cursors.values()).size).toBe(TASKS);
    expect(Math.max(...cursors.values())).toBeLessThanOrEqual(counter);
    // The victim rejoined under its id and handed its leases back at once, rather than
    // letting them run out at the 10-minute deadline.
    const released = store.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM events WHERE kind = 'replica_released' AND job_id = ?`,
      chaotic.job.id,
    );
    expect(released[0]?.n).toBeGreaterThan(0);
    const hosts = store.query<{ n: number }>('SELECT COUNT(*) AS n FROM hosts');
    expect(hosts[0]?.n).toBe(3);
    store.close();
    for (const agent of agents) removeDir(agent.cache);
  }, 300_000);
});
