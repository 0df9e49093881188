/**
 * Volunteers without sign-up, over real HTTP on a real SQLite store: an anonymous
 * provider token per browser, a few per address per hour (then 429 RATE_LIMITED with
 * Retry-After); its host starts like any new host (initial daily quota, no record); and
 * linking moves the host, with its record, to the account of another provider token.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DAILY_QUOTA } from '@anygrid/coordinator/policy';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Coordinator, startCoordinator } from '../src/index.js';

let coord: Coordinator;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'anygrid-volunteers-'));
  coord = await startCoordinator({
    dataDir,
    port: 0,
    logger: pino({ level: 'silent' }),
    volunteerSignupsPerHour: 2,
  });
});
afterAll(async () => {
  await coord?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${coord.url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

const browserHost = {
  name: 'volunteer: Chrome on Linux',
  platform: 'browser-wasm',
  cores: 4,
  memoryBytes: 0,
  slots: 2,
};

describe('anonymous volunteers', () => {
  let anonymous: string;
  let hostId: number;

  it('get a provider token without sign-up, two per address per hour here, then 429 with Retry-After', async () => {
    const first = await call('POST', '/v1/volunteers', { label: 'Chrome on Linux' });
    expect(first.status).toBe(201);
    expect(first.body.account).toMatch(/^volunteer-/);
    anonymous = first.body.token;
    expect((await call('GET', '/v1/whoami', undefined, anonymous)).body).toMatchObject({
      role: 'provider',
      account: first.body.account,
    });
    const second = await call('POST', '/v1/volunteers', {});
    expect(second.status).toBe(201);
    expect(second.body.account).not.toBe(first.body.account);

    const third = await call('POST', '/v1/volunteers', {});
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('RATE_LIMITED');
    expect(third.body.error.details.retryAfterMs).toBeGreaterThan(0);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('refuses a sign-up body with unknown fields', async () => {
    const r = await call('POST', '/v1/volunteers', { admin: true });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_REQUEST');
  });

  it('join as a browser-wasm host that starts like any new host', async () => {
    const joined = await call('POST', '/v1/hosts', browserHost, anonymous);
    expect(joined.status).toBe(201);
    hostId = joined.body.hostId;
    const view = await call('GET', `/v1/hosts/${hostId}`, undefined, anonymous);
    expect(view.body).toMatchObject({
      platform: 'browser-wasm',
      cores: 4,
      replicas: { valid: 0, invalid: 0 },
      reputation: { judged: 0 },
      quota: { perDay: DEFAULT_DAILY_QUOTA.initial },
      quarantine: null,
    });
  });

  it('link to an account by its provider token: the host moves there, the anonymous token loses it', async () => {
    const admin = coord.adminToken;
    const requester = (await call('POST', '/v1/tokens', { role: 'requester' }, admin)).body.token;
    const alice = (await call('POST', '/v1/tokens', { role: 'provider', account: 'alice' }, admin))
      .body.token;

    const wrongRole = await call('POST', '/v1/volunteers/link', { token: requester }, anonymous);
    expect(wrongRole.status).toBe(403);
    expect(wrongRole.body.error.code).toBe('FORBIDDEN');
    const unknown = await call('POST', '/v1/volunteers/link', { token: 'ag_pro_nope' }, anonymous);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('INVALID_REQUEST');
    expect((await call('POST', '/v1/volunteers/link', { token: alice })).status).toBe(401);

    const linked = await call('POST', '/v1/volunteers/link', { token: alice }, anonymous);
    expect(linked.status).toBe(200);
    expect(linked.body).toMatchObject({ account: 'alice', hostIds: [hostId] });

    const hers = await call('GET', '/v1/hosts', undefined, alice);
    expect(hers.body.hosts.map((h: { id: number }) => h.id)).toEqual([hostId]);
    expect((await call('GET', '/v1/hosts', undefined, anonymous)).body.hosts).toEqual([]);
    // The coordinator's cached owner followed the move: the old token may no longer pull for it.
    const stale = await call('POST', '/v1/work', { hostId, max: 1 }, anonymous);
    expect(stale.status).toBe(403);
    // Registering again under alice's token keeps the host id (and its record).
    const again = await call('POST', '/v1/hosts', { ...browserHost, hostId, holding: [] }, alice);
    expect(again.body.hostId).toBe(hostId);
  });
});
