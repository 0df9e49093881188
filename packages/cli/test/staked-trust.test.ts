/**
 * Issue 15, "stake feeds the trust policy" (docs/incentives.md, "Stake and trust"), on a
 * real coordinator and real agents: a provider that staked through `anygrid stake` is
 * trusted after a shorter `adaptive` warm-up than unstaked hosts running the same job, so
 * some of its results are accepted alone while theirs are all still compared; and of two
 * idle hosts asking the same price, the staked one gets a paid job's work.
 */

import { describe, expect, it } from 'vitest';
import {
  client,
  killAll,
  removeDir,
  runCli,
  startAgent,
  startCoordinator,
  waitFor,
} from './harness.js';
import { type Client, primeRanges, submitPrimes, waitForJob } from './job-flow.js';
import { agent, fund, hostId, hostsOf, pricing, submit } from './market-flow.js';
import { credit } from './paid-flow.js';

/** Three units of stake (policy/stake-trust.ts): the warm-up falls to a quarter. */
const STAKE_CREDITS = 30;

/** A provider token of its own account, with `credits` staked through the CLI. */
async function stakedProvider(url: string, admin: Client, name: string, credits: number) {
  const token = await admin.token('provider', name);
  const account = (await client(url, token).get('/v1/whoami')).body.accountId as number;
  await credit(admin, account, credits * 1e6, `${name}-funds`);
  const staked = await runCli(
    ['stake', String(credits), '--from', 'balance', '--key', `${name}-stake`, '--token', token],
    { env: { ANYGRID_URL: url } },
  );
  expect(staked.code, staked.stderr).toBe(0);
  return token;
}

async function withCoordinator(body: (url: string, admin: Client) => Promise<void>) {
  const coord = await startCoordinator();
  try {
    await body(coord.url, client(coord.url, coord.adminToken));
  } finally {
    await killAll();
    removeDir(coord.dataDir);
  }
}

describe('stake and trust', () => {
  it('trusts a staked host after a quarter of the warm-up: only its results go unchecked', async () => {
    await withCoordinator(async (url, admin) => {
      const richToken = await stakedProvider(url, admin, 'rich', STAKE_CREDITS);
      // Two slots: under a loaded CI machine a one-slot staked agent was once outpaced by
      // the others (14 results of 240) and never reached its shorter warm-up.
      startAgent(url, richToken, { name: 'rich', slots: 2 });
      for (const name of ['plain-1', 'plain-2', 'plain-3'])
        startAgent(url, await admin.token('provider', name), { name, slots: 1 });
      await waitFor('four hosts to join', async () => {
        const hosts = (await admin.get('/v1/hosts')).body.hosts as unknown[];
        return hosts.length === 4 ? true : undefined;
      });
      const requester = client(url, await admin.token('requester'));
      // A warm-up of 160 results: the staked host needs 40, each unstaked one 160 — more
      // than it can get of 240 tasks shared by four hosts. Trusted at 40, the staked host
      // goes unchecked ever more often over its remaining tasks (70–105 alone in three runs;
      // with 100 tasks and a warm-up of 100 it was 5–25, and once, in a slow CI run, none).
      // Confirmed by two other accounts, not the default three: in a loaded CI run one
      // unstaked agent got 4 of the 480 replicas, the staked host met only two partners, and
      // 158 confirmed results left it untrusted (0 alone). Stake shortens the warm-up alike.
      const validation = { mode: 'adaptive', warmup: 160, trustedWaitMs: 200, partners: 2 };
      const job = await submitPrimes(requester, primeRanges(240, 2_000), { validation });
      expect((await waitForJob(requester, job.id)).progress).toMatchObject({ valid: 240 });

      const hosts = (await admin.get('/v1/hosts')).body.hosts as {
        name: string;
        stake: number;
        warmupShare: number;
        replicas: { valid: number; alone: number };
      }[];
      const rich = hosts.find((h) => h.name === 'rich');
      const plain = hosts.filter((h) => h.name.startsWith('plain'));
      console.log(
        `staked trust: ${hosts.map((h) => `${h.name} ${h.replicas.valid} confirmed, ${h.replicas.alone} alone`).join('; ')}`,
      );
      expect(rich).toMatchObject({ stake: STAKE_CREDITS * 1e6, warmupShare: 0.25 });
      expect(rich?.replicas.alone).toBeGreaterThan(0);
      expect(plain.map((h) => h.replicas.alone)).toEqual([0, 0, 0]);
      expect(plain.map((h) => h.warmupShare)).toEqual([1, 1, 1]);
    });
  });

  it('gives a paid job to the staked one of two idle hosts asking the same price', async () => {
    await withCoordinator(async (url, admin) => {
      const stakerToken = await stakedProvider(url, admin, 'staker', 10);
      await agent(url, stakerToken, 'staker', 100, 2);
      await agent(url, await admin.token('provider', 'plain'), 'plain', 100, 2);
      const requester = client(url, await admin.token('requester'));
      await fund(admin, requester);
      const staker = await hostId(admin, 'staker');
      const ran: number[] = [];
      for (let round = 0; round < 3; round++) {
        // Both idle and waiting for work: the job's two tasks fit the staked host's slots.
        await new Promise((r) => setTimeout(r, 500));
        const id = await submit(requester, 2, 1000, { pricing: pricing(1000) });
        expect((await waitForJob(requester, id, 60_000)).progress.valid).toBe(2);
        ran.push(...(await hostsOf(requester, id, 2)));
      }
      console.log(`auction: ${ran.filter((h) => h === staker).length} of ${ran.length} staked`);
      expect(ran).toEqual(Array(6).fill(staker));
    });
  });
});
