/**
 * @module
 * What every `Store` adapter measures of hosts, as one behavioural suite: turnaround and
 * on-time rate from the reports and deadlines it records, availability from the
 * quarter-hours a host was seen connected, and the bandwidth its agent measured, all in
 * the host's view.
 */

import { describe, expect, it } from 'vitest';
import { AVAILABILITY_SLOT_MS as Q } from '../policy/index.js';
import { picksOf, withHosts } from './host-rules.case.js';
import { host, job, ok } from './store.case.js';
import type { Store, StoreRules } from './store.js';

const admin = { accountId: 0, account: 'admin', role: 'admin' as const };

export function describeHostMeasures(
  name: string,
  openStore: (rules: StoreRules) => Promise<Store>,
): void {
  describe(`${name} store: what the coordinator measures of hosts`, () => {
    it('has nothing measured for a new host but its availability since it registered', async () => {
      const { store, addHost } = await withHosts(openStore);
      const h = await addHost(null);
      expect((await store.getHost(h.id, admin, 60_000))?.measured).toEqual({
        turnaroundMs: null,
        onTimeRate: null,
        availability: 1,
        bandwidthBytesPerS: null,
      });
      await store.close();
    });

    it('measures turnaround from sending to report, and counts reports in time against replicas that timed out', async () => {
      const { store, owner, addHost } = await withHosts(openStore);
      const h = await addHost(null);
      const deadlineMs = 10_000;
      const { changes } = await store.createJob(
        owner.accountId,
        job(3, { redundancy: 1, deadlineMs }),
        0,
      );
      const sent = await store.assignReplicas(h.id, picksOf(changes.ready), 1000);
      expect(sent).toHaveLength(3);
      const [a, b, c] = sent.map((s) => s.replicaId) as [number, number, number];
      await store.applyReports(h.id, [ok(a)], 1400);
      expect((await store.getHost(h.id, admin, 1400))?.measured).toMatchObject({
        turnaroundMs: 400,
        onTimeRate: 1,
      });
      // A weighted mean: one more report moves it a tenth of the way.
      await store.applyReports(h.id, [ok(b)], 1600);
      const afterTwo = (await store.getHost(h.id, admin, 1600))?.measured;
      expect(afterTwo?.turnaroundMs).toBeCloseTo(420, 6);
      expect(afterTwo?.onTimeRate).toBe(1);
      // The third misses its deadline: two of three in time. Its late report still
      // counts for the turnaround, not as in time.
      expect((await store.expireDeadlines(1000 + deadlineMs + 1, 100)).timedOut).toBe(1);
      expect((await store.getHost(h.id, admin, 20_000))?.measured.onTimeRate).toBeCloseTo(2 / 3, 9);
      await store.applyReports(h.id, [ok(c)], 21_000);
      const late = (await store.getHost(h.id, admin, 21_000))?.measured;
      expect(late?.onTimeRate).toBeCloseTo(2 / 3, 9);
      expect(late?.turnaroundMs).toBeCloseTo(420 * 0.9 + 20_000 * 0.1, 6);
      await store.close();
    });

    it('folds a batch of reports into the turnaround in one go, as many reports of their mean', async () => {
      const { store, owner, addHost } = await withHosts(openStore);
      const h = await addHost(null);
      const { changes } = await store.createJob(owner.accountId, job(2, { redundancy: 1 }), 0);
      const sent = await store.assignReplicas(h.id, picksOf(changes.ready), 100);
      await store.applyReports(
        h.id,
        sent.map((s) => ok(s.replicaId)),
        400,
      );
      expect((await store.getHost(h.id, admin, 400))?.measured).toMatchObject({
        turnaroundMs: 300,
        onTimeRate: 1,
      });
      await store.close();
    });

    it('counts the quarter-hours of the day a host was connected: registered, then marked while connected or seen', async () => {
      const { store, addHost } = await withHosts(openStore);
      const h = await addHost(null);
      const other = await addHost(null);
      // Registered in the first quarter-hour, then not seen for two.
      expect((await store.getHost(h.id, admin, 2 * Q + 1))?.measured.availability).toBeCloseTo(
        1 / 3,
        9,
      );
      // Connected (its work stream open) in the third.
      expect(await store.markAvailable([h.id], 2 * Q, 2 * Q + 1)).toBe(1);
      expect((await store.getHost(h.id, admin, 2 * Q + 1))?.measured.availability).toBeCloseTo(
        2 / 3,
        9,
      );
      // Once per quarter-hour: marking it again writes nothing.
      expect(await store.markAvailable([h.id], 2 * Q, 2 * Q + 2)).toBe(0);
      // The other host heartbeats in the fourth quarter-hour: seen, so marked too.
      await store.heartbeat(other.id, [], 3 * Q + 5);
      expect(await store.markAvailable([], 3 * Q, 3 * Q + 10)).toBe(1);
      const seen = await store.getHost(other.id, admin, 3 * Q + 10);
      expect(seen?.measured.availability).toBeCloseTo(2 / 4, 9);
      // A day later with no sign of either: nothing left in the window.
      expect((await store.getHost(h.id, admin, 2 * Q + 96 * Q))?.measured.availability).toBe(0);
      await store.close();
    });

    it('keeps the download bandwidth the host measured, and gives it back when the host registers again', async () => {
      const { store, addHost } = await withHosts(openStore);
      const h = await addHost(null);
      await store.recordBandwidth(h.id, 12_500_000);
      expect((await store.getHost(h.id, admin, 1))?.measured.bandwidthBytesPerS).toBe(12_500_000);
      await store.recordBandwidth(h.id, 9_000_000);
      expect((await store.getHost(h.id, admin, 2))?.measured.bandwidthBytesPerS).toBe(9_000_000);
      // Registering again (its agent or this coordinator restarted), it is handed back.
      const again = await store.joinHost(h.account, { ...host, hostId: h.id }, 3);
      expect(again).toMatchObject({ hostId: h.id, bandwidth: 9_000_000 });
      const fresh = await store.joinHost(h.account, host, 4);
      expect(fresh.bandwidth).toBeUndefined();
      await store.close();
    });
  });
}
