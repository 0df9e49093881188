import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CLI,
  client,
  killAll,
  removeDir,
  spawnNode,
  stopProcess,
  tempDir,
  waitFor,
} from './harness.js';

describe('anygrid serve, first start on a data dir', () => {
  const dataDir = tempDir();
  afterAll(async () => {
    await killAll();
    removeDir(dataDir);
  });

  async function serveJson(): Promise<{
    line: Record<string, unknown>;
    stop: () => Promise<void>;
  }> {
    const s = spawnNode([CLI, 'serve', '--data', dataDir, '--port', '0', '--json']);
    const text = await waitFor(
      'the listening line',
      async () => /^\{.*\}$/m.exec(s.output())?.[0],
      30_000,
      50,
    );
    return {
      line: JSON.parse(text) as Record<string, unknown>,
      stop: () => stopProcess(s.proc, 'SIGTERM'),
    };
  }

  it('creates an admin token, prints it once and keeps it in a mode-600 file that works', async () => {
    const first = await serveJson();
    const saved = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
    expect(first.line.adminToken).toBe(saved);
    expect(statSync(join(dataDir, 'admin.token')).mode & 0o777).toBe(0o600);
    const who = await client(String(first.line.url), saved).get('/v1/whoami');
    expect(who.body).toMatchObject({ role: 'admin' });
    await first.stop();

    const second = await serveJson();
    expect(second.line.adminToken).toBeUndefined();
    expect(readFileSync(join(dataDir, 'admin.token'), 'utf8').trim()).toBe(saved);
    await second.stop();
  });
});
