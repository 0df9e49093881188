import { JobPricing } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { resolvePolicy } from './job-policy.js';
import {
  asksNothing,
  cheapestAsks,
  compareBids,
  outbids,
  priceFits,
  REPUTATION_MARGIN,
  unitCost,
  unitsOver,
} from './price-fit.js';
import { STAKE_UNIT } from './stake-trust.js';

const FREE = { cpuSecond: 0, memGiBSecond: 0, gpuSecond: 0 };
const asks = (cpuSecond: number, memGiBSecond = 0, gpuSecond = 0) => ({
  cpuSecond,
  memGiBSecond,
  gpuSecond,
});
const pricing = (cpu: number, mem = 0, gpu = 0) =>
  JobPricing.parse({ ceiling: asks(cpu, mem, gpu) });

describe('priceFits', () => {
  it('lets a free job run only on hosts asking nothing', () => {
    expect(asksNothing(FREE)).toBe(true);
    expect(priceFits(FREE, undefined)).toBe(true);
    expect(priceFits(asks(1), undefined)).toBe(false);
    expect(priceFits(asks(0, 0, 1), undefined)).toBe(false);
  });

  it('lets a paid job run on hosts whose every ask is at or under the ceiling, volunteers included', () => {
    const p = pricing(10, 2, 0);
    expect(priceFits(FREE, p)).toBe(true);
    expect(priceFits(asks(10, 2), p)).toBe(true);
    expect(priceFits(asks(11, 0), p)).toBe(false);
    expect(priceFits(asks(1, 3), p)).toBe(false);
    expect(priceFits(asks(1, 0, 1), p)).toBe(false);
    expect(unitsOver(asks(11, 3), p.ceiling)).toEqual(['cpuSecond', 'memGiBSecond']);
  });
});

describe('bids', () => {
  const shape = { memGiB: 2, gpu: false };

  it('weighs memory by the GiB a replica holds, and GPU only for jobs that use one', () => {
    expect(unitCost(asks(5, 3, 100), shape)).toBe(11);
    expect(unitCost(asks(5, 3, 100), { memGiB: 2, gpu: true })).toBe(111);
  });

  it('prefers the cheaper host, then the clearly more reputable one, then the clearly more staked one', () => {
    const bid = (cost: number, reputation: number, stake = 0) => ({ cost, reputation, stake });
    expect(outbids(bid(1, 0), bid(2, 0.9))).toBe(true);
    expect(outbids(bid(2, 0.9), bid(1, 0))).toBe(false);
    expect(outbids(bid(1, 0.9), bid(1, 0.5))).toBe(true);
    // Noise in the reputation bound does not move work between equal hosts.
    expect(outbids(bid(1, 0.5 + REPUTATION_MARGIN / 2), bid(1, 0.5))).toBe(false);
    // Stake decides between equally cheap hosts of about one reputation, by a unit or more.
    expect(outbids(bid(1, 0.5, STAKE_UNIT), bid(1, 0.5 + REPUTATION_MARGIN / 2))).toBe(true);
    expect(outbids(bid(1, 0.5, STAKE_UNIT - 1), bid(1, 0.5))).toBe(false);
    // …but never outweighs a clearly better reputation, nor a lower price.
    expect(outbids(bid(1, 0.3, 100 * STAKE_UNIT), bid(1, 0.5))).toBe(false);
    expect(outbids(bid(2, 0.9, 100 * STAKE_UNIT), bid(1, 0))).toBe(false);
    const sorted = [bid(3, 0.9), bid(1, 0.2), bid(1, 0.8), bid(1, 0.8, 5)].sort(compareBids);
    expect(sorted).toEqual([bid(1, 0.8, 5), bid(1, 0.8), bid(1, 0.2), bid(3, 0.9)]);
  });

  it('finds the cheapest asks among hosts', () => {
    expect(cheapestAsks([], shape)).toBeUndefined();
    expect(cheapestAsks([asks(5), asks(1, 3), asks(2, 1)], shape)).toEqual(asks(2, 1));
  });
});

describe('tiers', () => {
  it("add the tier's priority to the job's and keep the pricing in the policy", () => {
    const economy = resolvePolicy({ pricing: { ...pricing(5), tier: 'economy' } });
    const priority = resolvePolicy({ pricing: { ...pricing(5), tier: 'priority' }, priority: 1 });
    const standard = resolvePolicy({ pricing: pricing(5) });
    expect(economy.priority).toBe(-10);
    expect(priority.priority).toBe(11);
    expect(standard.priority).toBe(0);
    expect(priority.pricing?.tier).toBe('priority');
    expect(resolvePolicy({}).pricing).toBeUndefined();
    expect(resolvePolicy({}).priority).toBe(0);
  });
});
