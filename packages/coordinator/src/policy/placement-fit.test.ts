import { describe, expect, it } from 'vitest';
import type { HostCapabilities } from './host-match.js';
import { placeable } from './placement-fit.js';

const host: HostCapabilities = {
  platform: 'linux-x64',
  cores: 2,
  memoryBytes: 4 * 1024 ** 3,
  freeDiskBytes: null,
  speed: 1e9,
  accelerators: [],
  region: null,
  reputation: 0.3,
  asks: { cpuSecond: 0, memGiBSecond: 0, gpuSecond: 0 },
  stake: 0,
};

describe('placeable', () => {
  it('keeps a host from jobs whose requirements it fails', () => {
    expect(placeable({ deadlineMs: 60_000, size: {}, requirements: { minCores: 4 } }, host)).toBe(
      false,
    );
    expect(placeable({ deadlineMs: 60_000, size: {}, requirements: { minCores: 2 } }, host)).toBe(
      true,
    );
  });

  it('keeps a host from a job whose task it could not finish in time even idle', () => {
    const job = { deadlineMs: 5_000, size: { estimatedOps: 4e9 } };
    expect(placeable(job, host)).toBe(true);
    expect(placeable(job, { ...host, speed: 5e8 })).toBe(false);
    // The download of its large inputs counts too.
    expect(placeable(job, host, 1_500)).toBe(false);
  });

  it('never rules out a host of unknown speed by the requester’s estimate alone', () => {
    expect(
      placeable({ deadlineMs: 1_000, size: { estimatedOps: 1e15 } }, { ...host, speed: null }),
    ).toBe(true);
    // Once the job's measured runtimes say tasks take longer than the deadline, it does.
    expect(
      placeable(
        { deadlineMs: 1_000, size: { estimatedOps: 1e15, meanMs: 2_000 } },
        { ...host, speed: null },
      ),
    ).toBe(false);
  });
});
