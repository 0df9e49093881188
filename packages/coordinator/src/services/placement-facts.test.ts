import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { host } from '../store/store.case.js';
import { PlacementFacts } from './placement-facts.js';

const GiB = 1024 ** 3;

async function storeWithHost(declares: Partial<typeof host> & { speed?: number }) {
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'anygrid-facts-')), 'test.db'));
  await store.migrate();
  const prov = await store.createToken('provider', 'prov', 'p', undefined, 0);
  const hostId = await store.registerHost(prov.accountId, { ...host, ...declares }, 0);
  return { store, hostId };
}

describe('PlacementFacts', () => {
  it('gives no test, and reads nothing, while no job could rule a host out', async () => {
    const { store, hostId } = await storeWithHost({});
    const facts = new PlacementFacts(store);
    await facts.load(0);
    facts.noteJob(1, { deadlineMs: 60_000 });
    expect(facts.refresh(hostId, 1)).toBeUndefined();
    expect(facts.eligibility(hostId)).toBeUndefined();
    await store.close();
  });

  it('tests a host against requirements once its capabilities are read', async () => {
    const { store, hostId } = await storeWithHost({ memoryBytes: 4 * GiB });
    const facts = new PlacementFacts(store);
    await facts.load(0);
    facts.noteJob(1, { deadlineMs: 60_000, requirements: { minMemoryBytes: 8 * GiB } });
    facts.noteJob(2, { deadlineMs: 60_000 });
    // Unknown host: no test until it is read (the store still checks).
    expect(facts.eligibility(hostId)).toBeUndefined();
    await facts.refresh(hostId, 1);
    const test = facts.eligibility(hostId);
    expect([test?.(1, 0), test?.(2, 0), test?.(99, 0)]).toEqual([false, true, true]);
    // Read again only after a while, or when told the host changed.
    expect(facts.refresh(hostId, 2)).toBeUndefined();
    facts.forgetHost(hostId);
    expect(facts.refresh(hostId, 3)).toBeInstanceOf(Promise);
    await store.close();
  });

  it('learns a task’s size from reported runtimes and keeps a slow host from a short deadline', async () => {
    const { store, hostId } = await storeWithHost({ speed: 1e9 });
    const facts = new PlacementFacts(store);
    await facts.load(0);
    facts.noteJob(1, { deadlineMs: 2_000 });
    // 3 s at 2 G ops/s, reported twice: 6 G ops a task, 6 s on this host.
    facts.addRuntimes([{ jobId: 1, ms: 6_000, n: 2, ops: 1.2e10, opsN: 2 }]);
    await facts.refresh(hostId, 1);
    expect(facts.eligibility(hostId)?.(1, 0)).toBe(false);
    facts.dropJob(1);
    expect(facts.eligibility(hostId)).toBeUndefined();
    await store.close();
  });
});
