import { HostView } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import {
  formatShare,
  formatSpeed,
  formatTurnaround,
  HOST_LINE_HEADER,
  hostDetails,
  hostLine,
  hostState,
  hostTable,
} from './host-format.js';

const host: HostView = HostView.parse({
  id: 7,
  name: 'gpu-box',
  account: { id: 2, name: 'alice' },
  platform: 'linux-x64',
  cores: 16,
  memoryBytes: 64 * 2 ** 30,
  slots: 16,
  freeDiskBytes: 500 * 2 ** 30,
  speed: 1.28e8,
  accelerators: [{ kind: 'cuda', name: 'NVIDIA L4', memoryBytes: 24 * 2 ** 30 }],
  region: 'eu-west',
  agentVersion: '0.1.0',
  address: '203.0.113.9',
  createdAt: 0,
  lastSeen: 0,
  replicas: { valid: 3, invalid: 0, errored: 1, timedOut: 1, abandoned: 0, alone: 2 },
  reputation: { score: 0.8, lowerBound: 0.5, judged: 6 },
  measured: { turnaroundMs: 420, onTimeRate: 0.75, availability: 2 / 3, bandwidthBytesPerS: 5e6 },
  quota: { perDay: 100, usedToday: 2, leftToday: 98 },
  quarantine: null,
  asks: { cpuSecond: 2000, memGiBSecond: 0, gpuSecond: 0 },
  stake: 5_000_000,
  warmupShare: 0.67,
  credit: { totalMicro: 12_500_000, recentPerDay: 1.5 },
});

describe('host formatting', () => {
  it('shows speed, region, accelerators and what the coordinator measured in the table, under their headings', () => {
    const line = hostLine(host, 60_000);
    const columns = (text: string) => text.trim().split(/\s{2,}/);
    expect(columns(HOST_LINE_HEADER)).toEqual([
      'ID',
      'STATE',
      'ACCOUNT',
      'PLATFORM',
      'REGION',
      'SPEED',
      'ACCEL',
      'VALID',
      'INVALID',
      'ERROR',
      'TIMEOUT',
      'SCORE',
      'ON-TIME',
      'AVAIL',
      'TURNAROUND',
      'QUOTA LEFT',
      'CREDIT',
      'NAME',
    ]);
    expect(columns(line)).toEqual([
      '7',
      'online',
      'alice',
      'linux-x64',
      'eu-west',
      '128M',
      'cuda',
      '5',
      '0',
      '1',
      '1',
      '0.80',
      '75%',
      '67%',
      '420ms',
      '98',
      '12.50',
      'gpu-box',
    ]);
    expect(line.indexOf('128M') + 4).toBe(HOST_LINE_HEADER.indexOf('SPEED') + 5);
  });

  it('marks what a host never said or the coordinator never measured with a dash', () => {
    const bare = {
      ...host,
      speed: null,
      region: null,
      accelerators: [],
      measured: {
        turnaroundMs: null,
        onTimeRate: null,
        availability: null,
        bandwidthBytesPerS: null,
      },
    };
    expect(
      hostLine(bare)
        .trim()
        .split(/\s{2,}/)
        .slice(4, 7),
    ).toEqual(['-', '-', '-']);
    expect(hostDetails(bare).join('\n')).toContain('not measured');
    // A coordinator that does not list credit: a dash, the columns kept in place.
    const { credit: _, ...uncredited } = host;
    const line = hostLine(uncredited, 60_000);
    expect(
      line
        .trim()
        .split(/\s{2,}/)
        .at(-2),
    ).toBe('-');
    expect(line.indexOf('gpu-box')).toBe(HOST_LINE_HEADER.indexOf('NAME'));
  });

  it('cuts a name too long for its column with an ellipsis, keeping the columns in place', () => {
    const long = { ...host, account: { ...host.account, name: 'provider-gcgwp9' } };
    const line = hostLine(long, 60_000);
    expect(line.trim().split(/\s{2,}/)[2]).toBe('provider-gcgw…');
    expect(line.indexOf('linux-x64')).toBe(HOST_LINE_HEADER.indexOf('PLATFORM'));
  });

  it('leaves the least telling columns out to fit a narrow terminal, and says which', () => {
    const full = hostTable([host], undefined, 60_000);
    expect(full.hidden).toEqual([]);
    expect(full.lines).toEqual([HOST_LINE_HEADER, hostLine(host, 60_000)]);
    expect(hostTable([host], 200, 60_000).hidden).toEqual([]);
    const narrow = hostTable([host], 80, 60_000);
    for (const line of narrow.lines) expect(line.length).toBeLessThanOrEqual(80);
    const columns = (text: string) => text.trim().split(/\s{2,}/);
    expect(columns(narrow.lines[0] ?? '')).toEqual([
      'ID',
      'STATE',
      'ACCOUNT',
      'VALID',
      'SCORE',
      'CREDIT',
      'NAME',
    ]);
    expect(columns(narrow.lines[1] ?? '')).toEqual([
      '7',
      'online',
      'alice',
      '5',
      '0.80',
      '12.50',
      'gpu-box',
    ]);
    expect(narrow.hidden).toContain('TURNAROUND');
    expect(narrow.hidden).not.toContain('CREDIT');
    // A little narrower than the full table drops only the first to go.
    expect(hostTable([host], HOST_LINE_HEADER.length, 60_000).hidden).toEqual(['TURNAROUND']);
  });

  it('counts one core and one slot in the singular', () => {
    const small = hostDetails({ ...host, cores: 1, slots: 1 }).join('\n');
    expect(small).toContain('linux-x64, 1 core, 65536 MiB, 1 slot, agent');
    expect(hostDetails(host).join('\n')).toContain('16 cores, 65536 MiB, 16 slots');
  });

  it('says a host is offline once it has not been seen for a while', () => {
    expect(hostState(host, host.lastSeen + 60_000)).toBe('online');
    expect(hostState(host, host.lastSeen + 10 * 60_000)).toBe('offline');
  });

  it('describes one host with its devices and measurements', () => {
    const text = hostDetails(host, 1000).join('\n');
    expect(text).toContain(
      '128M ops/s on the standard benchmark; region eu-west; free disk 500.0 GB',
    );
    expect(text).toContain('cuda NVIDIA L4 (24.0 GB)');
    expect(text).toContain(
      'turnaround 420ms, on time 75%, available 67% of the last day, bandwidth 4.8 MB/s',
    );
    expect(text).toContain('stake 5.000000 credits (adaptive warm-up ×0.67)');
    expect(hostDetails({ ...host, stake: 0, warmupShare: 1 }, 1000).join('\n')).toContain(
      'stake 0.000000 credits\n',
    );
  });

  it('writes speeds, shares and turnarounds short', () => {
    expect(formatSpeed(950)).toBe('950');
    expect(formatSpeed(3.44e9)).toBe('3.4G');
    expect(formatSpeed(null)).toBe('-');
    expect(formatShare(1)).toBe('100%');
    expect(formatTurnaround(65_000)).toBe('1m05s');
  });
});
