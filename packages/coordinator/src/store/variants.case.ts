/**
 * @module
 * The store's side of app variants (docs/variants.md), for every adapter: a job with a
 * native variant sends it only to hosts offering the native runtime of its platform,
 * records the variant each replica ran and the run times reported per variant, chooses by
 * measured means, and keeps a compared task's replicas on one variant unless the job
 * mixes them.
 */

import type { HostRuntime } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { host, job, ok } from './store.case.js';
import type { Placement, ReplicaPick, Store } from './store.js';

const NATIVE = { hash: 'b'.repeat(64), size: 20 };

export function describeVariants(name: string, open: () => Promise<Store>): void {
  describe(`${name} store: app variants`, () => {
    const setup = async (policy: Parameters<typeof job>[1], tasks: number) => {
      const store = await open();
      const owner = await store.createToken('requester', 'req', 'r', undefined, 0);
      const provider = async (account: string, native: boolean, platform = 'linux-x64') => {
        const p = await store.createToken('provider', account, `p-${account}`, undefined, 0);
        const runtimes: HostRuntime[] = native ? ['wasm32-wasi', 'native'] : ['wasm32-wasi'];
        return store.registerHost(p.accountId, { ...host, platform, runtimes }, 0);
      };
      const { job: view, changes } = await store.createJob(
        owner.accountId,
        { ...job(tasks, policy), variants: [{ platform: 'linux-x64', module: NATIVE }] },
        0,
      );
      return { store, owner, provider, jobId: view.id, ready: [...changes.ready] as ReplicaPick[] };
    };

    it('sends the native variant only to a host offering native code of its platform', async () => {
      const { store, provider, ready, jobId } = await setup({}, 3);
      const [t0, t1, t2] = ready as [ReplicaPick, ReplicaPick, ReplicaPick];
      const [plain] = await store.assignReplicas(await provider('plain', false), [t0], 1);
      expect(plain?.variant).toBeUndefined();
      const arm = await provider('arm', true, 'linux-arm64');
      expect((await store.assignReplicas(arm, [t1], 1))[0]?.variant).toBeUndefined();
      const [native] = await store.assignReplicas(await provider('x64', true), [t2], 1);
      expect(native?.variant).toEqual({ key: 'linux-x64', platform: 'linux-x64', module: NATIVE });
      // The wasm module stays the job's: the variant rides beside it.
      expect(native?.module).toEqual(plain?.module);
      const ran = async (i: number) => (await store.taskView(jobId, i))?.replicas[0]?.variant;
      expect([await ran(0), await ran(1), await ran(2)]).toEqual([
        'wasm32-wasi',
        'wasm32-wasi',
        'linux-x64',
      ]);
      await store.close();
    });

    it('sends a GPU variant only to a native host that declares that accelerator', async () => {
      const store = await open();
      const owner = await store.createToken('requester', 'req', 'r', undefined, 0);
      const cuda = { hash: 'c'.repeat(64), size: 30 };
      const { changes } = await store.createJob(
        owner.accountId,
        { ...job(2), variants: [{ platform: 'linux-x64', module: cuda, gpu: 'cuda' }] },
        0,
      );
      const [t0, t1] = [...changes.ready] as ReplicaPick[] as [ReplicaPick, ReplicaPick];
      const register = async (account: string, gpu: boolean) => {
        const p = await store.createToken('provider', account, `p-${account}`, undefined, 0);
        const runtimes: HostRuntime[] = ['wasm32-wasi', 'native'];
        const accelerators = gpu ? [{ kind: 'cuda' as const, name: 'NVIDIA L4' }] : [];
        return store.registerHost(p.accountId, { ...host, runtimes, accelerators }, 0);
      };
      const [cpu] = await store.assignReplicas(await register('cpu', false), [t0], 1);
      expect(cpu?.variant).toBeUndefined();
      const [gpu] = await store.assignReplicas(await register('gpu', true), [t1], 1);
      expect(gpu?.variant).toMatchObject({ key: 'linux-x64+cuda', module: cuda });
      await store.close();
    });

    it('measures each variant and then picks the one with the lesser mean', async () => {
      const { store, owner, provider, ready, jobId } = await setup({}, 3);
      const [t0, t1, t2] = ready as [ReplicaPick, ReplicaPick, ReplicaPick];
      const native = await provider('x64', true);
      const plain = await provider('plain', false);
      const [a] = await store.assignReplicas(native, [t0], 1);
      const [b] = await store.assignReplicas(plain, [t1], 1);
      await store.applyReports(native, [{ ...ok(a?.replicaId ?? 0), durationMs: 900 }], 2);
      await store.applyReports(plain, [{ ...ok(b?.replicaId ?? 0), durationMs: 300 }], 2);
      const view = await store.getJob(jobId, owner);
      expect(view?.variants?.map((v) => [v.key, v.runs])).toEqual([
        ['wasm32-wasi', { count: 1, meanMs: 300 }],
        ['linux-x64', { count: 1, meanMs: 900 }],
      ]);
      // This build runs slower natively than in wasm: the native host runs wasm now.
      expect((await store.assignReplicas(native, [t2], 3))[0]?.variant).toBeUndefined();
      await store.close();
    });

    it('keeps a compared task on one variant, unless the job mixes them', async () => {
      for (const mixedVariants of [false, true]) {
        const { store, provider, ready } = await setup({ redundancy: 2, mixedVariants }, 1);
        const [r0, r1] = ready as [ReplicaPick, ReplicaPick];
        const first = await store.assignReplicas(await provider('n1', true), [r0], 1);
        expect(first[0]?.variant?.key).toBe('linux-x64');
        // Later than the spread rule holds a new host back from a task sent just now.
        const later = 10 * 60_000;
        const placement: Placement = { deferred: [], apart: [], quarantined: false };
        const plain = await store.assignReplicas(
          await provider('plain', false),
          [r1],
          later,
          placement,
        );
        if (mixedVariants) {
          expect(plain.map((a) => a.variant)).toEqual([undefined]);
        } else {
          // Refused for good to this host: it cannot run the variant its task runs.
          expect(plain).toEqual([]);
          expect(placement.apart).toEqual([r1.replicaId]);
          const other = await store.assignReplicas(await provider('n2', true), [r1], later);
          expect(other[0]?.variant?.key).toBe('linux-x64');
        }
        await store.close();
      }
    });
  });
}
