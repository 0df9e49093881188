import { describe, expect, it } from 'vitest';
import { failures, type HostCapabilities, meets } from './host-match.js';

const GiB = 1024 ** 3;

const laptop: HostCapabilities = {
  platform: 'linux-x64',
  cores: 8,
  memoryBytes: 16 * GiB,
  freeDiskBytes: 100 * GiB,
  speed: 2e9,
  accelerators: ['cuda'],
  region: 'eu-west',
  reputation: 0.6,
  asks: { cpuSecond: 0, memGiBSecond: 0, gpuSecond: 0 },
  stake: 0,
};

describe('meets and failures', () => {
  it('accepts any host when the job requires nothing', () => {
    expect(meets(laptop, {})).toBe(true);
    expect(failures(laptop, {})).toEqual([]);
  });

  it('names each field the host fails, in the order given', () => {
    const req = {
      minMemoryBytes: 32 * GiB,
      platforms: ['linux-x64', 'linux-arm64'],
      minCores: 16,
      regions: ['us-east'],
      accelerators: ['cuda' as const],
    };
    expect(meets(laptop, req)).toBe(false);
    expect(failures(laptop, req)).toEqual(['minMemoryBytes', 'minCores', 'regions']);
  });

  it('holds limits inclusive: a host with exactly the memory asked qualifies', () => {
    expect(meets(laptop, { minMemoryBytes: 16 * GiB, minSpeed: 2e9, minReputation: 0.6 })).toBe(
      true,
    );
  });

  it('fails a requirement on a capability the host never declared', () => {
    const silent = { ...laptop, freeDiskBytes: null, speed: null, region: null };
    expect(failures(silent, { minDiskBytes: 1, minSpeed: 1, regions: ['eu-west'] })).toEqual([
      'minDiskBytes',
      'minSpeed',
      'regions',
    ]);
  });

  it('wants every accelerator kind named', () => {
    expect(meets(laptop, { accelerators: ['cuda', 'webgpu'] })).toBe(false);
    expect(
      meets({ ...laptop, accelerators: ['cuda', 'webgpu'] }, { accelerators: ['webgpu'] }),
    ).toBe(true);
  });
});
