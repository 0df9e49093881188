/**
 * @module
 * Coordinators sharing one store see each other: each one's health route says how many
 * share it now, its own slot among them, and whether it holds the leader lease. One
 * coordinator leads at a time; when the leader is killed, the survivor takes the lease
 * over and its slot widens to the whole store. A person running `serve` in a terminal
 * reads the same: at start whether this coordinator leads (or who does), then a line each
 * time that changes, and nothing about the lease at a clean stop, which hands it back.
 */

import { describe, expect, it } from 'vitest';
import {
  CLI,
  client,
  spawnNode,
  startCoordinator,
  stopProcess,
  useSharedDataDir,
  waitFor,
} from './harness.js';

interface Health {
  coordinator: {
    holder: string;
    leader: boolean;
    leaderHolder: string | null;
    coordinators: number;
    slot: number;
  };
}

describe('coordinators sharing a store', () => {
  const dataDir = useSharedDataDir('anygrid-sharing-');

  it('know each other, split the slots, and hand the lease over when the leader dies', async () => {
    // A short lease, so that membership is read again within a second.
    const serve = () => startCoordinator({ dataDir, extraArgs: ['--leader-lease-ms', '3000'] });
    const coords = [await serve(), await serve()];
    const health = async (url: string) => (await client(url).get('/v1/health')).body as Health;
    const both = await waitFor('both to count two coordinators', async () => {
      const hs = await Promise.all(coords.map((c) => health(c.url)));
      return hs.every((h) => h.coordinator.coordinators === 2) ? hs : undefined;
    });
    expect(new Set(both.map((h) => h.coordinator.slot))).toEqual(new Set([0, 1]));
    expect(both.filter((h) => h.coordinator.leader)).toHaveLength(1);
    expect(new Set(both.map((h) => h.coordinator.leaderHolder)).size).toBe(1);

    const leaderAt = both.findIndex((h) => h.coordinator.leader);
    const leader = coords[leaderAt];
    const survivor = coords[1 - leaderAt];
    if (!leader || !survivor) throw new Error('two coordinators expected');
    await stopProcess(leader.proc, 'SIGKILL');
    const after = await waitFor(
      'the survivor to lead alone',
      async () => {
        const h = await health(survivor.url);
        return h.coordinator.leader && h.coordinator.coordinators === 1 ? h : undefined;
      },
      20_000,
    );
    expect(after.coordinator).toMatchObject({ slot: 0, leaderHolder: after.coordinator.holder });
  }, 60_000);
});

describe('coordinators sharing a store, as a person at a terminal sees them', () => {
  const dataDir = useSharedDataDir('anygrid-sharing-human-');

  it('say at start who leads and, in a line of their own, when that changes', async () => {
    const serve = async () => {
      const s = spawnNode([
        CLI,
        'serve',
        '--data',
        dataDir,
        '--port',
        '0',
        '--leader-lease-ms',
        '3000',
      ]);
      const url = await waitFor(
        'the coordinator to listen',
        async () => /^anygrid coordinator listening on (\S+)$/m.exec(s.output())?.[1],
      );
      const start = await waitFor('its leadership line', async () =>
        /^ {2}coordinator {2}(\S+), (.+)$/m.exec(s.output()),
      );
      return { ...s, url, holder: start[1] as string, says: start[2] as string };
    };
    const first = await serve();
    expect(first.says).toMatch(/^the leader \(term \d+\): the sweeps and the janitor run here$/);
    const second = await serve();
    expect(second.says).toBe(`not the leader (${first.holder} is)`);
    await stopProcess(first.proc, 'SIGKILL');
    await waitFor(
      'the second to say it leads now',
      async () =>
        /^now the leader \(term \d+\): the sweeps and the janitor run here$/m.test(second.output()),
      20_000,
    );
    await stopProcess(second.proc, 'SIGTERM');
    expect(second.output()).not.toContain('no longer the leader');
  }, 60_000);
});
