import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  client,
  example,
  startAgent,
  tempDir,
  useRestartableCoordinator,
  waitFor,
} from './harness.js';
import { allResults, decodeStdout, waitForJob } from './job-flow.js';

describe('a coordinator restored from a backup that predates a provider host', () => {
  const ctx = useRestartableCoordinator();

  it('sees the agent register again and run work, instead of refusing it forever', async () => {
    const admin = client(ctx.coord.url, ctx.coord.adminToken);
    const providerToken = await admin.token('provider');
    const requesterToken = await admin.token('requester');
    // An online backup: it holds both tokens but not the host the agent registers next.
    const backup = join(tempDir(), 'backup.db');
    const live = new Database(join(ctx.dataDir, 'anygrid.db'), { readonly: true });
    await live.backup(backup);
    live.close();

    const agent = startAgent(ctx.coord.url, providerToken, { slots: 1, name: 'survivor' });
    await waitFor('the agent to join', async () => agent.output().includes('joined'));

    // Restore: the coordinator comes back on the same port with the older store.
    await ctx.restart(async () => {
      const db = join(ctx.dataDir, 'anygrid.db');
      for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
      const restored = new Database(backup, { readonly: true });
      await restored.backup(db);
      restored.close();
    });

    const requester = client(ctx.coord.url, requesterToken);
    const module = await requester.upload(example('trivial.wasm'));
    const job = await requester.post('/v1/jobs', {
      module,
      tasks: Array.from({ length: 20 }, (_, i) => ({ args: [String(i)] })),
    });
    expect(job.status).toBe(201);
    await waitFor(
      'the agent to register again',
      async () => agent.output().match(/joined/g)?.length === 2,
      60_000,
    );
    expect(agent.output()).toMatch(/unknown to the coordinator now; registering again/);
    const done = await waitForJob(requester, job.body.id, 60_000);
    expect(done).toMatchObject({ state: 'completed', progress: { valid: 20 } });
    for (const r of await allResults(requester, job.body.id))
      expect(decodeStdout(r)).toBe(`${r.index}\n`);
  }, 120_000);
});
