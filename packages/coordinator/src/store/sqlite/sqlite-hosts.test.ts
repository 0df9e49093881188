import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { describeHostMeasures } from '../host-measures.case.js';
import { describeHostRules, picksOf, withHosts } from '../host-rules.case.js';
import { job } from '../store.case.js';
import type { StoreRules } from '../store.js';
import { SqliteStore } from './sqlite-store.js';

let lastPath = '';

async function openSqlite(rules: StoreRules) {
  lastPath = join(mkdtempSync(join(tmpdir(), 'anygrid-hosts-')), 'test.db');
  const store = new SqliteStore(lastPath, rules);
  await store.migrate();
  return store;
}

describeHostRules('sqlite', openSqlite);
describeHostMeasures('sqlite', openSqlite);

describe('sqlite store: quarantine', () => {
  // The store has no verb that quarantines (the validator sets the columns): set them in the file.
  it('sends a quarantined host nothing until an admin releases it', async () => {
    const { store, owner, addHost } = await withHosts(openSqlite);
    const path = lastPath;
    const h = await addHost(null);
    const raw = new Database(path);
    raw
      .prepare(`UPDATE hosts SET quarantined_at = 5, quarantine_reason = 'caught' WHERE id = ?`)
      .run(h.id);
    const { changes } = await store.createJob(owner.accountId, job(2), 0);
    expect(await store.hostAllowance(h.id, 10, 6)).toBe(0);
    expect(await store.assignReplicas(h.id, picksOf(changes.ready), 6)).toEqual([]);
    const admin = { accountId: 0, account: 'admin', role: 'admin' as const };
    expect(await store.getHost(h.id, admin, 6)).toMatchObject({
      quarantine: { at: 5, reason: 'caught' },
    });
    expect(await store.releaseHost(h.id, 7)).toMatchObject({
      released: true,
      host: { quarantine: null },
    });
    expect(await store.releaseHost(h.id, 7)).toMatchObject({ released: false });
    expect(await store.assignReplicas(h.id, picksOf(changes.ready), 8)).toHaveLength(2);
    raw.close();
    await store.close();
  });
});
