import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { holderId, type Partition, PRESENCE_PREFIX, WHOLE } from '../policy/index.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { Membership } from './membership.js';

const log = pino({ level: 'silent' });

/** Stores over one SQLite file, as coordinator processes sharing it hold them. */
async function stores(n: number): Promise<SqliteStore[]> {
  const path = join(mkdtempSync(join(tmpdir(), 'anygrid-membership-')), 'shared.db');
  const out: SqliteStore[] = [];
  for (let i = 0; i < n; i++) {
    const store = new SqliteStore(path);
    await store.migrate();
    out.push(store);
  }
  return out;
}

describe('coordinators sharing a store', () => {
  it('split the replica ids into disjoint slots, and the survivors take a leaver’s share', async () => {
    const [a, b, c] = await stores(3);
    const members = [a, b, c].map(
      (store, i) => new Membership(store as SqliteStore, `host-${i}/${process.pid}/x`, log),
    );
    const seen: Partition[][] = members.map(() => []);
    members.forEach((m, i) => {
      m.onChange((p) => seen[i]?.push(p));
    });
    for (const m of members) await m.start();
    // The first ones started before the others were live: they learn at the next renewal.
    for (const m of members) await m.renew();
    const slots = members.map((m) => m.partition);
    expect(slots.map((p) => p.count)).toEqual([3, 3, 3]);
    expect(new Set(slots.map((p) => p.slot))).toEqual(new Set([0, 1, 2]));
    expect(seen[0]?.at(-1)).toEqual(slots[0]);
    // One leaves cleanly: the two others share the ids at their next renewal.
    await members[1]?.stop();
    await members[0]?.renew();
    await members[2]?.renew();
    expect(members[0]?.partition.count).toBe(2);
    expect(members[2]?.partition.count).toBe(2);
    expect(members[0]?.partition.slot).not.toBe(members[2]?.partition.slot);
    await members[2]?.stop();
    await members[0]?.renew();
    expect(members[0]?.partition).toEqual(WHOLE);
    await members[0]?.stop();
  });

  it('does not wait for the presence of a dead coordinator of this machine to run out', async () => {
    const [store] = await stores(1);
    const s = store as SqliteStore;
    // A predecessor on this machine, killed: its process (pid 2^22 + 1, above Linux's
    // limit) does not run, and its presence lease still has seconds to go.
    const dead = holderId(hostname(), 4_194_305, 'dead');
    await s.claimLease(`${PRESENCE_PREFIX}${dead}`, dead, Date.now(), 60_000);
    // One on another machine is counted until its lease runs out.
    await s.claimLease(`${PRESENCE_PREFIX}elsewhere/1/y`, 'elsewhere/1/y', Date.now(), 60_000);
    const m = new Membership(s, holderId(hostname(), process.pid, 'me'), log);
    await m.start();
    expect(m.partition.count).toBe(2);
    await m.stop();
  });
});
