import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Asks } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { host } from '../store/store.case.js';
import { PlacementFacts } from './placement-facts.js';
import { PRICE_WAIT_MS } from './price-preference.js';

const GiB = 1024 ** 3;

async function storeWithHost(declares: Partial<typeof host> & { speed?: number; asks?: Asks }) {
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

describe('PlacementFacts and prices', () => {
  const pricing = {
    ceiling: { cpuSecond: 5, memGiBSecond: 0, gpuSecond: 0 },
    tier: 'standard' as const,
  };
  const shape = { memGiB: 1, gpu: false };

  it('keeps a host asking a price from free jobs, and one asking over the ceiling from a paid job', async () => {
    const { store, hostId } = await storeWithHost({
      asks: { cpuSecond: 3, memGiBSecond: 0, gpuSecond: 0 },
    });
    const facts = new PlacementFacts(store);
    await facts.load(0);
    facts.noteAsks(hostId, { cpuSecond: 3, memGiBSecond: 0, gpuSecond: 0 });
    facts.noteJob(1, { deadlineMs: 60_000 });
    facts.noteJob(2, { deadlineMs: 60_000, pricing, shape });
    facts.noteJob(3, {
      deadlineMs: 60_000,
      pricing: { ...pricing, ceiling: { cpuSecond: 2, memGiBSecond: 0, gpuSecond: 0 } },
      shape,
    });
    await facts.refresh(hostId, 1);
    const test = facts.eligibility(hostId, 1);
    expect([test?.(1, 0), test?.(2, 0), test?.(3, 0)]).toEqual([false, true, false]);
    await store.close();
  });

  it('holds a paid job back from a host while a cheaper one waits for work, for a moment only', async () => {
    const { store, hostId: dear } = await storeWithHost({
      asks: { cpuSecond: 4, memGiBSecond: 0, gpuSecond: 0 },
    });
    const cheap = await store.registerHost(
      (await store.createToken('provider', 'prov2', 'p2', undefined, 0)).accountId,
      { ...host, name: 'cheap', asks: { cpuSecond: 1, memGiBSecond: 0, gpuSecond: 0 } },
      0,
    );
    const facts = new PlacementFacts(store);
    await facts.load(0);
    facts.noteJob(1, { deadlineMs: 60_000, pricing, shape });
    await facts.refresh(dear, 0);
    await facts.refresh(cheap, 0);
    let held = 0;
    const onHeld = () => held++;
    // Nobody waits for work: the dear host may take it.
    expect(facts.eligibility(dear, 10, onHeld)?.(1, 0)).toBe(true);
    facts.prices.pulled(cheap, true, 10);
    expect(facts.eligibility(dear, 20, onHeld)?.(1, 0)).toBe(false);
    expect(held).toBe(1);
    // The cheap host is never held back for the dear one.
    facts.prices.pulled(dear, true, 20);
    expect(facts.eligibility(cheap, 30)?.(1, 0)).toBe(true);
    // Past the wait, the dear host takes what the cheap one left.
    expect(facts.eligibility(dear, 20 + PRICE_WAIT_MS, onHeld)?.(1, 0)).toBe(true);
    // Once the cheap host had its fill, nothing holds the dear one back.
    facts.prices.pulled(cheap, false, 40);
    facts.noteJob(2, { deadlineMs: 60_000, pricing, shape });
    expect(facts.eligibility(dear, 50, onHeld)?.(2, 0)).toBe(true);
    await store.close();
  });

  it('counts a waiting host by the asks it declared before its capabilities are read', async () => {
    const { store, hostId: dear } = await storeWithHost({
      asks: { cpuSecond: 4, memGiBSecond: 0, gpuSecond: 0 },
    });
    const facts = new PlacementFacts(store);
    await facts.load(0);
    facts.noteJob(1, { deadlineMs: 60_000, pricing, shape });
    await facts.refresh(dear, 0);
    // A volunteer registered and pulled on an empty queue: never read, still the cheapest.
    facts.noteAsks(777, { cpuSecond: 0, memGiBSecond: 0, gpuSecond: 0 });
    facts.prices.pulled(777, true, 5);
    expect(facts.eligibility(dear, 10)?.(1, 0)).toBe(false);
    await store.close();
  });
});
