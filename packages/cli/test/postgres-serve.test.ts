/**
 * A coordinator on the PostgreSQL store (`serve --store postgres://…`), end to end with
 * real agents: a redundancy-2 job validates with correct outputs, a restart on the same
 * database keeps the job and its results, and `anygrid migrate` says what it applied
 * and what it could not reach.
 */

import { afterAll, describe, expect, it } from 'vitest';
import {
  freshSchemaUrl,
  postgresPresent,
} from '../../coordinator/src/store/postgres/pg-test-store.case.js';
import {
  client,
  countPrimes,
  example,
  killAll,
  removeDir,
  runCli,
  startAgent,
  startCoordinator,
  stopProcess,
  tempDir,
} from './harness.js';
import { allResults, decodeStdout, primeRanges, submitPrimes, waitForJob } from './job-flow.js';

describe.skipIf(!postgresPresent)('the PostgreSQL store through the CLI', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await killAll();
    for (const dir of dirs) removeDir(dir);
  });

  it('validates a redundancy-2 job on real agents and keeps it across a restart', async () => {
    const store = freshSchemaUrl();
    const dataDir = tempDir();
    dirs.push(dataDir);
    let coord = await startCoordinator({ dataDir, extraArgs: ['--store', store] });
    const admin = client(coord.url, coord.adminToken);
    const requesterToken = await admin.token('requester');
    const requester = client(coord.url, requesterToken);
    // One account per agent: a task's two replicas never go to hosts of one account.
    const agents = [
      startAgent(coord.url, await admin.token('provider'), { name: 'a' }),
      startAgent(coord.url, await admin.token('provider'), { name: 'b' }),
    ];
    const ranges = primeRanges(12, 2000);
    const { id } = await submitPrimes(requester, ranges, { redundancy: 2 });
    const done = await waitForJob(requester, id, 60_000);
    expect(done.state).toBe('completed');
    expect(done.progress.valid).toBe(12);
    const results = await allResults(requester, id);
    expect(results).toHaveLength(12);
    for (const r of results) {
      const [a, b] = ranges[r.index] as [number, number];
      expect(decodeStdout(r)).toBe(`${countPrimes(a, b)}\n`);
    }
    // Diagnostics read the store's placement facts (requirements, speed): one of the
    // few reads no store case covered, and the first to show a SQLite-only expression.
    const why = await requester.get(`/v1/jobs/${id}/diagnostics`);
    expect(why.status).toBe(200);
    const big = await requester.post('/v1/jobs', {
      name: 'too big',
      module: await requester.upload(example('prime.wasm')),
      requirements: { minMemoryBytes: 2 ** 50 },
      tasks: [{ args: ['0', '10'] }],
    });
    expect(big.status).toBe(201);
    expect(JSON.stringify(big.body.warnings)).toMatch(/memory/);
    await requester.post(`/v1/jobs/${big.body.id}/cancel`, {});
    for (const agent of agents) await stopProcess(agent.proc);
    await stopProcess(coord.proc);

    // The database is the truth: another start on it answers for the same job.
    coord = await startCoordinator({ dataDir, extraArgs: ['--store', store] });
    const again = client(coord.url, requesterToken);
    expect((await again.get(`/v1/jobs/${id}`)).body.progress.valid).toBe(12);
    expect(await allResults(again, id)).toHaveLength(12);
    await stopProcess(coord.proc);
  });

  it('migrates a fresh database once, then finds nothing to do', async () => {
    const text = await runCli(['migrate', '--store', freshSchemaUrl()]);
    expect(text.code).toBe(0);
    // Counted, in number order for people (though one migration runs before an older
    // one), with the numbers no migration has named as such.
    const line = /applied (\d+) migrations: (.*)$/m.exec(text.stdout);
    expect(Number(line?.[1])).toBeGreaterThan(20);
    expect(line?.[2]).toMatch(/^1–\d+, /);
    expect(line?.[2]).toMatch(/\(no migration has the numbers [\d–, ]+\)$/);
    const store = freshSchemaUrl();
    const first = await runCli(['migrate', '--store', store, '--json']);
    expect(first.code).toBe(0);
    const applied = JSON.parse(first.stdout) as { kind: string; applied: number[] };
    expect(applied.kind).toBe('postgres');
    expect(applied.applied[0]).toBe(1);
    expect(applied.applied.length).toBeGreaterThan(20);
    const second = await runCli(['migrate', '--store', store]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/the schema is up to date/);
  });

  it('refuses store URLs it cannot use as usage errors', async () => {
    for (const store of [
      'postgres://postgres@127.0.0.1:5432/test?schema=Bad-Name',
      'postgres://',
      'mysql://root@127.0.0.1/test',
    ]) {
      const r = await runCli(['migrate', '--store', store]);
      expect(r.code, store).toBe(2);
      expect(r.stderr, store).toMatch(/USAGE/);
    }
  });

  it('says it cannot reach a store that is not there, and what to check', async () => {
    const r = await runCli(['migrate', '--store', 'postgres://postgres@127.0.0.1:1/test']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/STORE_UNREACHABLE/);
    expect(r.stderr).toMatch(/--store/);
  });
});
