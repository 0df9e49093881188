/**
 * Acceptance 4 of issue 15 (docs/incentives.md): a provider stakes through `anygrid
 * stake` and runs a host that corrupts every output. Each invalid result slashes the
 * configured share of its stake in the transaction of the verdict: its stake and its
 * reputation drop (`anygrid host`), the slashes are in its statement (`anygrid statement
 * --csv`), and `anygrid ledger check` holds.
 */

import { describe, expect, it } from 'vitest';
import {
  client,
  killAll,
  removeDir,
  runCli,
  startAgent,
  startCoordinator,
  startSaboteur,
  waitFor,
} from './harness.js';
import { primeRanges, submitPrimes, waitForJob } from './job-flow.js';
import { ASK_CPU, credit, pricedPolicy } from './paid-flow.js';

const STAKE = 50_000_000;

describe('a staked host that cheats', () => {
  it('is slashed on each invalid result: stake and reputation drop, slashes in its statement', async () => {
    const coord = await startCoordinator({ extraArgs: ['--slash-percent', '20'] });
    try {
      const admin = client(coord.url, coord.adminToken);
      const env = { ANYGRID_URL: coord.url };
      const cheatToken = await admin.token('provider', 'cheat');
      const cheatAccount = (await client(coord.url, cheatToken).get('/v1/whoami')).body
        .accountId as number;
      await credit(admin, cheatAccount, STAKE, 'cheat-funds');
      const staked = await runCli(
        ['stake', '50', '--from', 'balance', '--key', 'stake-1', '--json', '--token', cheatToken],
        { env },
      );
      expect(staked.code, staked.stderr).toBe(0);
      expect(JSON.parse(staked.stdout)).toMatchObject({ balance: STAKE });
      // The same key again moves nothing.
      const again = await runCli(
        ['stake', '50', '--from', 'balance', '--key', 'stake-1', '--json', '--token', cheatToken],
        { env },
      );
      expect(JSON.parse(again.stdout)).toEqual(JSON.parse(staked.stdout));

      startSaboteur(coord.url, cheatToken, 2, { SABOTEUR_ASK_CPU: String(ASK_CPU) });
      const cheatHost = await waitFor('the cheat to join', async () => {
        const hosts = (await admin.get('/v1/hosts')).body.hosts as { id: number; name: string }[];
        return hosts.find((h) => h.name === 'saboteur')?.id;
      });
      const before = (await admin.get(`/v1/hosts/${cheatHost}`)).body;
      expect(before).toMatchObject({ stake: STAKE, asks: { cpuSecond: ASK_CPU } });

      startAgent(coord.url, await admin.token('provider'), {
        name: 'h1',
        extraArgs: ['--ask-cpu', '1'],
      });
      startAgent(coord.url, await admin.token('provider'), {
        name: 'h2',
        extraArgs: ['--ask-cpu', '1'],
      });
      const requester = client(coord.url, await admin.token('requester'));
      const account = (await requester.get('/v1/whoami')).body.accountId as number;
      await credit(admin, account, 1e12, 'requester-funds');
      const job = await submitPrimes(
        requester,
        primeRanges(30, 5_000),
        pricedPolicy('standard', { redundancy: 2 }),
      );
      expect((await waitForJob(requester, job.id)).progress).toMatchObject({ valid: 30 });

      const after = (await admin.get(`/v1/hosts/${cheatHost}`)).body;
      expect(after.replicas.invalid).toBeGreaterThan(0);
      expect(after.stake).toBeLessThan(STAKE);
      expect(after.reputation.score).toBeLessThan(before.reputation.score);
      // What the stake bought in trust shrinks with it (policy/stake-trust.ts).
      expect(before.warmupShare).toBe(0.25);
      expect(after.warmupShare).toBeCloseTo(Math.max(0.25, 1 / (1 + after.stake / 10_000_000)), 9);
      expect(after.warmupShare).toBeGreaterThanOrEqual(before.warmupShare);
      const shown = await runCli(['host', String(cheatHost), '--token', coord.adminToken], { env });
      expect(shown.stdout).toContain(`stake ${(after.stake / 1e6).toFixed(6)} credits`);

      const csv = await runCli(['statement', '--csv', '--token', cheatToken], { env });
      expect(csv.code, csv.stderr).toBe(0);
      const slashes = csv.stdout.split('\n').filter((l) => l.split(',')[3] === 'slash');
      // Each slash takes 20 % of what is left: the stake is the product of those steps.
      let expected = STAKE;
      for (const line of slashes) {
        const amount = -Number(line.split(',')[5]);
        expect(amount).toBe(Math.floor(expected * 0.2));
        expected -= amount;
      }
      expect(slashes.length).toBeGreaterThan(0);
      expect(after.stake).toBe(expected);
      // Its wrong results earned nothing.
      const statement = (await client(coord.url, cheatToken).get('/v1/statement')).body;
      expect(statement.balances.earnings).toBe(0);

      const check = await runCli(['ledger', 'check', '--token', coord.adminToken], { env });
      expect(check.code, check.stdout).toBe(0);
      expect(check.stdout).toMatch(/^ok: /);
      console.log(
        `staked cheat: ${after.replicas.invalid} invalid results, ${slashes.length} slashes, stake ${STAKE} → ${after.stake} µ, score ${before.reputation.score.toFixed(3)} → ${after.reputation.score.toFixed(3)}`,
      );
    } finally {
      await killAll();
      removeDir(coord.dataDir);
    }
  });
});
