import { Platform, RegisterHostRequest } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { hostInfo, platformName } from './host-info.js';

describe('platformName', () => {
  it('spells platforms the way the protocol expects', () => {
    expect(platformName('linux', 'x64')).toBe('linux-x64');
    expect(platformName('darwin', 'arm64')).toBe('darwin-arm64');
    expect(platformName('win32', 'ia32')).toBe('win32-ia32');
    expect(Platform.safeParse(platformName()).success).toBe(true);
  });
});

describe('hostInfo', () => {
  it('describes this device in a body the coordinator accepts', () => {
    const body = hostInfo({ slots: 3, name: 'box', hostId: 12 });
    expect(RegisterHostRequest.parse(body)).toMatchObject({ name: 'box', slots: 3, hostId: 12 });
    expect(body.cores).toBeGreaterThanOrEqual(1);
    expect(body.memoryBytes).toBeGreaterThan(0);
  });
});
