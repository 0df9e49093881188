/**
 * Issue 14's acceptance for several coordinators over one store, with real processes:
 * three `anygrid serve` on one PostgreSQL database (and again on one SQLite file, the
 * one-machine case) and one blob folder, agents spread over them
 * (each told every coordinator, to fail over), and a requester on a fourth serve that
 * has no agents, so every task is found by the others' work polls. The leader is
 * SIGKILLed mid-run: its agents move to the others, the lease moves (log line and lease
 * row), and every task settles exactly once with the right output. Then a result stream
 * opened on one coordinator and resumed on another with its cursor delivers every result
 * exactly once.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freshSchemaUrl,
  postgresPresent,
} from '../../coordinator/src/store/postgres/pg-test-store.case.js';
import {
  type CoordinatorProcess,
  client,
  countPrimes,
  killAll,
  removeDir,
  type Spawned,
  startAgent,
  startCoordinator,
  stopProcess,
  tempDir,
  waitFor,
} from './harness.js';
import { allResults, decodeStdout, primeRanges, submitPrimes, waitForJob } from './job-flow.js';
import { inspectStore } from './store-inspect.js';

/** Tasks of the big job: issue 14 asks for 20 000 (ANYGRID_SCALE_TASKS overrides). */
const TASKS = Number(process.env.ANYGRID_SCALE_TASKS ?? 20_000);
const LEASE_MS = 2_000;

let requesterToken = '';

/** The suite on one kind of store: `sqlite` (one file) or `postgres` (a fresh schema). */
function scaleOut(kind: 'sqlite' | 'postgres'): void {
  const dataDir = tempDir('anygrid-scale-');
  // Where the store is, for the coordinators and for the look into it at the end.
  const store = kind === 'postgres' ? freshSchemaUrl() : undefined;
  const blobsDir = tempDir('anygrid-scale-blobs-');
  const coords: CoordinatorProcess[] = [];
  const agents: Spawned[] = [];

  function serve(): Promise<CoordinatorProcess> {
    return startCoordinator({
      dataDir,
      extraArgs: [
        ...(store ? ['--store', store] : []),
        '--blobs',
        blobsDir,
        '--leader-lease-ms',
        String(LEASE_MS),
        '--discovery-ms',
        '200',
        '--log-level',
        'info',
      ],
    });
  }

  beforeAll(async () => {
    // One after the other: the first creates the database and the admin token.
    for (let i = 0; i < 4; i++) coords.push(await serve());
    const [a, b, c] = coords as [CoordinatorProcess, CoordinatorProcess, CoordinatorProcess];
    const admin = client(a.url, a.adminToken);
    requesterToken = await admin.token('requester');
    // Two agents per coordinator, each of its own account (a task's replicas never share
    // one), each told its own coordinator first and the others after.
    for (const [i, home] of [a, a, b, b, c, c].entries()) {
      const others = [a, b, c].filter((x) => x !== home).map((x) => x.url);
      agents.push(
        startAgent([home.url, ...others].join(','), await admin.token('provider'), {
          slots: 2,
          name: `agent-${i}`,
        }),
      );
    }
    await waitFor('every agent to join', async () =>
      agents.every((s) => s.output().includes('joined')),
    );
    // Each says which coordinator it joined: its own, the first it was told.
    for (const [i, home] of [a, a, b, b, c, c].entries()) {
      expect(agents[i]?.output()).toMatch(new RegExp(`joined ${home.url} as host \\d+`));
    }
  }, 120_000);

  afterAll(async () => {
    await killAll();
    removeDir(dataDir);
    removeDir(blobsDir);
  });

  describe('three coordinators on one store, a requester on a fourth', () => {
    it('settles every task of a redundancy-2 job exactly once while the leader is SIGKILLed', async () => {
      const [a, b, c, d] = coords as [
        CoordinatorProcess,
        CoordinatorProcess,
        CoordinatorProcess,
        CoordinatorProcess,
      ];
      expect(a.info.leader).toBe(true);
      for (const follower of [b, c, d]) expect(follower.info.leader).toBe(false);
      const holders = new Set(coords.map((x) => x.info.holder));
      expect(holders.size).toBe(4);

      const requester = client(d.url, requesterToken);
      const ranges = primeRanges(TASKS, 50);
      const t0 = Date.now();
      const job = await submitPrimes(requester, ranges, { redundancy: 2 });
      await waitFor(
        'a tenth of the job settled',
        async () => (await requester.get(`/v1/jobs/${job.id}`)).body.progress.valid >= TASKS / 10,
        300_000,
        100,
      );
      const killedAt = Date.now() - t0;
      await stopProcess(a.proc, 'SIGKILL');
      const moved = agents.slice(0, 2);
      await waitFor(
        "the killed coordinator's agents to move",
        async () => moved.every((s) => s.output().includes('moving to another coordinator')),
        60_000,
      );
      const gained = await waitFor(
        'another coordinator to take the leader lease',
        async () => [b, c, d].find((x) => x.output().includes('leader: gained')),
        LEASE_MS * 10,
      );

      const final = await waitForJob(requester, job.id, 900_000);
      // Four processes writing one file: no transaction failed (busy, snapshot) on any.
      for (const x of coords) {
        const errors = x
          .output()
          .split('\n')
          .filter((l) => l.includes('"level":50') || l.includes('SQLITE_BUSY'));
        expect(errors).toEqual([]);
      }
      expect(final.state).toBe('completed');
      expect(final.progress).toMatchObject({ total: TASKS, valid: TASKS });
      console.log(
        `scale-out: ${TASKS} tasks x 2 through 3 coordinators in ${Date.now() - t0} ms, ` +
          `leader SIGKILLed at ${killedAt} ms`,
      );

      const results = await allResults(requester, job.id);
      expect(results).toHaveLength(TASKS);
      expect(new Set(results.map((r) => r.index)).size).toBe(TASKS);
      for (const r of results) {
        const [lo, hi] = ranges[r.index] as [number, number];
        expect(decodeStdout(r)).toBe(`${countPrimes(lo, hi)}\n`);
      }

      const inspected = inspectStore(store ?? dataDir);
      try {
        const { cursors, counter } = inspected.settledCursors(job.id);
        expect(cursors.size).toBe(TASKS);
        expect(new Set(cursors.values()).size).toBe(TASKS);
        expect(Math.max(...cursors.values())).toBeLessThanOrEqual(counter);
        expect(inspected.sameHostPairs(job.id)).toEqual([]);
        // Each task has exactly two valid replicas, on two hosts.
        const doubled = inspected.query(
          `SELECT task_id FROM replicas WHERE job_id = ? AND validation = 'valid'
           GROUP BY task_id HAVING COUNT(*) <> 2`,
          job.id,
        );
        expect(doubled).toEqual([]);
        // The lease row names a coordinator whose log says it gained it, in a later term. On a
        // loaded machine the lease may move again (a holder whose event loop waited on the
        // store past a renewal loses it): the holder is one of those that said so.
        const [lease] = inspected.query<{ holder: string; term: number }>(
          `SELECT holder, term FROM leases WHERE name = 'leader'`,
        );
        const gainers = [b, c, d]
          .filter((x) => x.output().includes('leader: gained'))
          .map((x) => x.info.holder);
        expect(gainers).toContain(gained.info.holder);
        // serve --json says it too, on stdout, as a line of its own (found anywhere in the
        // output: its stdout and stderr are read into one text, in chunks).
        const events = [...gained.output().matchAll(/\{"event":"leadership"[^\n]*\}/g)].map((m) =>
          JSON.parse(m[0]),
        );
        expect(events).toContainEqual(
          expect.objectContaining({
            leader: true,
            holder: gained.info.holder,
            leaderHolder: gained.info.holder,
          }),
        );
        expect(gainers).toContain(lease?.holder);
        expect(lease?.holder).not.toBe(a.info.holder);
        expect(lease?.term).toBeGreaterThanOrEqual(2);
        // Agents of every coordinator worked, though none was connected to the requester's.
        expect(inspected.hostsOfValidReplicas(job.id).length).toBe(6);
      } finally {
        inspected.close();
      }
    }, 1_200_000);

    it('delivers every result once through a stream opened on one coordinator and resumed on another', async () => {
      const [, b, , d] = coords as [
        CoordinatorProcess,
        CoordinatorProcess,
        CoordinatorProcess,
        CoordinatorProcess,
      ];
      const total = 400;
      const ranges = primeRanges(total, 2_000);
      const job = await submitPrimes(client(d.url, requesterToken), ranges, { redundancy: 2 });
      // Opened on the requester's coordinator, which has no agents: every result it streams
      // settled through another one, and only its work poll tells the stream so.
      const first = await readStream(d.url, job.id, 0, total / 4);
      expect(first.indices.length).toBeGreaterThanOrEqual(total / 4);
      const rest = await readStream(b.url, job.id, first.cursor, Number.POSITIVE_INFINITY);
      const all = [...first.indices, ...rest.indices];
      expect(all).toHaveLength(total);
      expect(new Set(all).size).toBe(total);
      for (const [i, out] of [...first.outputs, ...rest.outputs].entries()) {
        const [lo, hi] = ranges[all[i] as number] as [number, number];
        expect(out).toBe(`${countPrimes(lo, hi)}\n`);
      }
    }, 300_000);
  });
}

describe.skipIf(!postgresPresent)('on PostgreSQL', () => scaleOut('postgres'));
describe('on one SQLite file', () => scaleOut('sqlite'));

/**
 * Reads a job's result stream from `after` until `atLeast` results came (then closes it,
 * as a client that goes away) or the stream ended with the job.
 */
async function readStream(
  url: string,
  jobId: number,
  after: number,
  atLeast: number,
): Promise<{ indices: number[]; outputs: string[]; cursor: number }> {
  const stop = new AbortController();
  const res = await fetch(`${url}/v1/jobs/${jobId}/events`, {
    headers: {
      authorization: `Bearer ${requesterToken}`,
      ...(after > 0 ? { 'last-event-id': String(after) } : {}),
    },
    signal: stop.signal,
  });
  expect(res.status).toBe(200);
  const indices: number[] = [];
  const outputs: string[] = [];
  let cursor = after;
  let buffered = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      let end = buffered.indexOf('\n\n');
      while (end >= 0) {
        const event = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        end = buffered.indexOf('\n\n');
        const id = /^id: (\d+)$/m.exec(event)?.[1];
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (!id || !data || !event.includes('event: result')) continue;
        const { result } = JSON.parse(data);
        indices.push(result.index);
        outputs.push(decodeStdout(result));
        cursor = Number(id);
        if (indices.length >= atLeast) {
          stop.abort();
          return { indices, outputs, cursor };
        }
      }
    }
  } catch (err) {
    if (!stop.signal.aborted) throw err;
  }
  return { indices, outputs, cursor };
}
