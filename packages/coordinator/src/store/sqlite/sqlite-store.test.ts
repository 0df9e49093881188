import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCredit } from '../credit.case.js';
import { describeHandBack } from '../handback.case.js';
import { describeLedger } from '../ledger.case.js';
import { describeLiveness } from '../liveness.case.js';
import { describeStore, host, job, ok } from '../store.case.js';
import { describeValidation } from '../validation.case.js';
import { SqliteStore } from './sqlite-store.js';

function tempPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'anygrid-store-')), 'test.db');
}

describeStore('sqlite', async () => {
  const store = new SqliteStore(tempPath());
  await store.migrate();
  return store;
});

describeLedger('sqlite', async (rules) => {
  const store = new SqliteStore(tempPath(), rules);
  await store.migrate();
  return store;
});

describeHandBack('sqlite', async () => {
  const store = new SqliteStore(tempPath());
  await store.migrate();
  return store;
});

describeCredit('sqlite', async (rules) => {
  const store = new SqliteStore(tempPath(), rules);
  await store.migrate();
  return store;
});

describeValidation('sqlite', async (random) => {
  const store = new SqliteStore(tempPath(), { random });
  await store.migrate();
  return store;
});

describe('sqlite store on a shared file', () => {
  it('never gives two settled tasks one cursor, whichever connection settles them', async () => {
    const path = tempPath();
    const a = new SqliteStore(path);
    await a.migrate();
    const b = new SqliteStore(path);
    await b.migrate();
    const owner = await a.createToken('requester', 'req', 'r', undefined, 0);
    const prov = await a.createToken('provider', 'prov', 'p', undefined, 0);
    const hostId = await a.registerHost(prov.accountId, { ...host, slots: 4 }, 0);
    const { job: created, changes } = await a.createJob(owner.accountId, job(4), 0);
    const sent = await a.assignReplicas(hostId, changes.ready, 1);
    // Alternate the connections: each must see the cursors the other gave out.
    for (const [i, assignment] of sent.entries()) {
      await (i % 2 === 0 ? a : b).applyReports(hostId, [ok(assignment.replicaId)], 2 + i);
    }
    const cursors = (await a.listResults(created.id, 0, 10)).map((r) => r.cursor);
    expect(cursors).toHaveLength(4);
    expect(new Set(cursors).size).toBe(4);
    expect([...cursors].sort((x, y) => x - y)).toEqual(cursors);
    await a.close();
    await b.close();
  });
});

describeLiveness('sqlite', async () => {
  const store = new SqliteStore(tempPath());
  await store.migrate();
  return store;
});
