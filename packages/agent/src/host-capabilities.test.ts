import { HostUpdate, RegisterHostRequest } from '@anygrid/protocol';
import { NodeSandbox } from '@anygrid/runtime/node';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { capabilityUpdate, HostCapabilities } from './host-capabilities.js';
import { hostInfo } from './host-info.js';

const logger = pino({ level: 'silent' });
const sandbox = new NodeSandbox({ maxWorkers: 1 });
afterAll(() => sandbox.close());

const gpu = { kind: 'cuda' as const, name: 'NVIDIA L4', memoryBytes: 24 * 2 ** 30 };

describe('HostCapabilities', () => {
  it('measures speed, free disk and GPUs at start, in a registration the coordinator accepts', async () => {
    const caps = new HostCapabilities({
      sandbox,
      benchmark: true,
      benchmarkIntervalMs: 0,
      idle: () => true,
      logger,
      probeGpus: async () => [gpu],
      benchmarkTargetMs: 100,
    });
    await caps.measure();
    const declared = caps.declared();
    expect(declared.speed).toBeGreaterThan(0);
    expect(declared.freeDiskBytes).toBeGreaterThan(0);
    expect(declared.accelerators).toEqual([gpu]);
    const body = RegisterHostRequest.parse({ ...hostInfo({ slots: 1 }), ...declared });
    expect(body).toMatchObject({ speed: declared.speed, accelerators: [gpu] });
    // Just declared: nothing moved since.
    expect(caps.pending()).toBeUndefined();
    caps.stop();
  });

  it('reports no speed with the benchmark off, and no GPU when the probe finds none', async () => {
    const caps = new HostCapabilities({
      sandbox,
      benchmark: false,
      benchmarkIntervalMs: 0,
      idle: () => true,
      logger,
      probeGpus: async () => [],
    });
    await caps.measure();
    const declared = caps.declared();
    expect(declared.speed).toBeUndefined();
    expect(declared.accelerators).toBeUndefined();
    expect(declared.freeDiskBytes).toBeGreaterThan(0);
  });
});

describe('capabilityUpdate', () => {
  it('sends a speed that moved by more than 10 % and free disk that moved by more than 5 %', () => {
    const sent = { speed: 1e8, freeDisk: 1e10 };
    expect(capabilityUpdate({ speed: 1.09e8, freeDisk: 1.04e10 }, sent)).toBeUndefined();
    expect(capabilityUpdate({ speed: 1.2e8, freeDisk: 1.04e10 }, sent)).toEqual({ speed: 1.2e8 });
    expect(capabilityUpdate({ speed: 0.85e8, freeDisk: 0.9e10 }, sent)).toEqual({
      speed: 0.85e8,
      freeDiskBytes: 0.9e10,
    });
    const update = capabilityUpdate({ speed: 2e8, freeDisk: 2e10 }, sent);
    expect(HostUpdate.parse(update)).toEqual(update);
  });

  it('sends a figure never sent before, and nothing while none was measured', () => {
    expect(capabilityUpdate({ speed: 5e7 }, {})).toEqual({ speed: 5e7 });
    expect(capabilityUpdate({}, { speed: 5e7 })).toBeUndefined();
  });
});
