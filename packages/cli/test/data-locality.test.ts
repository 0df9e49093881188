/**
 * Acceptance 5 of issue 11: a job of 100 tasks sharing one 50 MB input, on 3 agents. The
 * input crosses the wire to each host at most once (the per-host counters of /metrics),
 * two tasks starting at once on one host share one download, and hosts that hold the
 * input are preferred: a 4th agent that joins late, without the input, gets none of the
 * job's tasks while the three holders keep pulling (the replicas' hosts in the store).
 *
 * The coordinator assumes a 1 MB/s provider link here (`--assumed-bandwidth`), a slow
 * home uplink: fetching 50 MB would take the late agent ~50 s, longer than the holders
 * need for the rest of the job, so leaving the tasks to them is the right call.
 */

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  client,
  example,
  killAll,
  removeDir,
  startAgent,
  startCoordinator,
  waitFor,
} from './harness.js';
import { allResults, decodeStdout, waitForJob } from './job-flow.js';
import { inspectStore } from './store-inspect.js';

const INPUT_BYTES = 50 * 1024 * 1024;
const TASKS = 100;

/** The value of one labelled counter in a Prometheus text page, 0 when absent. */
function counter(page: string, name: string, host: number): number {
  const m = new RegExp(`^${name}\\{host="${host}"\\} (\\d+)$`, 'm').exec(page);
  return m ? Number(m[1]) : 0;
}

describe('data locality', () => {
  it('sends a shared 50 MB input to each host once and keeps its tasks on the hosts that hold it', async () => {
    const coord = await startCoordinator({ extraArgs: ['--assumed-bandwidth', '1000000'] });
    try {
      const admin = client(coord.url, coord.adminToken);
      const requester = client(coord.url, await admin.token('requester'));
      const providerToken = await admin.token('provider');
      const holders = ['a', 'b', 'c'].map((name) =>
        startAgent(coord.url, providerToken, { slots: 2, name }),
      );
      await waitFor('three agents to join', async () =>
        holders.every((a) => a.output().includes('joined')),
      );

      const input = randomBytes(INPUT_BYTES);
      const file = await requester.upload(input);
      const module = await requester.upload(example('checksum.wasm'));
      const job = await requester.post('/v1/jobs', {
        name: 'shared-input',
        module,
        policy: { redundancy: 1 },
        tasks: Array.from({ length: TASKS }, () => ({
          args: ['input.bin'],
          files: { 'input.bin': file },
        })),
      });
      expect(job.status).toBe(201);
      const jobId = job.body.id as number;

      // The late agent joins once every holder has run some of the job (so the scheduler
      // has seen their pace) and half of it remains.
      const store = inspectStore(coord.dataDir);
      const sentTo = () =>
        store.query<{ host_id: number; n: number }>(
          'SELECT host_id, COUNT(*) AS n FROM replicas WHERE job_id = ? AND host_id IS NOT NULL GROUP BY host_id',
          jobId,
        );
      await waitFor('every holder to take a task', async () => sentTo().length === 3, 60_000, 20);
      await waitFor(
        'a third of the job to be done',
        async () => {
          const p = (await requester.get(`/v1/jobs/${jobId}`)).body.progress;
          return p.valid >= TASKS / 3 && p;
        },
        120_000,
        50,
      );
      const late = startAgent(coord.url, providerToken, { slots: 2, name: 'late' });
      await waitFor('the late agent to join', async () => late.output().includes('joined'));
      const progress = (await requester.get(`/v1/jobs/${jobId}`)).body.progress;

      const done = await waitForJob(requester, jobId, 180_000);
      expect(done.state).toBe('completed');
      const results = await allResults(requester, jobId);
      expect(results).toHaveLength(TASKS);
      for (const r of results)
        expect(decodeStdout(r)).toMatch(new RegExp(`^${INPUT_BYTES} [0-9a-f]{16}\\n$`));

      const hostIds = Object.fromEntries(
        store
          .query<{ id: number; name: string }>('SELECT id, name FROM hosts')
          .map((h) => [h.name, h.id]),
      ) as Record<string, number>;
      const perHost = new Map(sentTo().map((r) => [r.host_id, r.n]));
      // Work remained when the late agent had joined, yet none of it went there.
      expect(progress.valid).toBeLessThan(TASKS);
      expect(perHost.get(hostIds.late as number) ?? 0).toBe(0);
      expect([...perHost.values()].reduce((a, b) => a + b, 0)).toBe(TASKS);

      const page = await (await fetch(`${coord.url}/metrics`)).text();
      for (const name of ['a', 'b', 'c']) {
        const host = hostIds[name] as number;
        expect(perHost.get(host)).toBeGreaterThan(0);
        // The module once and the input once: at most two downloads, one input's bytes.
        expect(counter(page, 'anygrid_blob_downloads_total', host)).toBeLessThanOrEqual(2);
        const bytes = counter(page, 'anygrid_blob_download_bytes_total', host);
        expect(bytes).toBeGreaterThanOrEqual(INPUT_BYTES);
        expect(bytes).toBeLessThan(INPUT_BYTES + module.size + 1);
      }
      expect(counter(page, 'anygrid_blob_download_bytes_total', hostIds.late as number)).toBe(0);
      store.close();
    } finally {
      await killAll();
      removeDir(coord.dataDir);
    }
  }, 240_000);
});
