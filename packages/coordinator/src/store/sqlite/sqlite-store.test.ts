import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../policy/index.js';
import { describeStore } from '../store.case.js';
import type { VerifiedReport } from '../store.js';
import { SqliteStore } from './sqlite-store.js';

function tempPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'anygrid-store-')), 'test.db');
}

describeStore('sqlite', async () => {
  const store = new SqliteStore(tempPath());
  await store.migrate();
  return store;
});

describe('sqlite store on a shared file', () => {
  it('never gives two settled tasks one cursor, whichever connection settles them', async () => {
    const path = tempPath();
    const a = new SqliteStore(path);
    await a.migrate();
    const b = new SqliteStore(path);
    await b.migrate();
    const owner = await a.createToken('requester', 'req', 'r', undefined, 0);
    const prov = await a.createToken('provider', 'prov', 'p', undefined, 0);
    const host = await a.registerHost(
      prov.accountId,
      { name: 'h', platform: 'linux-x64', cores: 1, memoryBytes: 1, slots: 4, runtimes: [] },
      0,
    );
    const { job, changes } = await a.createJob(
      owner.accountId,
      {
        module: { hash: 'a'.repeat(64), size: 1 },
        policy: resolvePolicy({}),
        tasks: Array.from({ length: 4 }, (_, i) => ({ args: [String(i)], env: {}, files: {} })),
      },
      0,
    );
    const sent = await a.assignReplicas(host, changes.ready, 1);
    const ok = (replicaId: number): VerifiedReport => ({
      replicaId,
      success: true,
      digest: 'd',
      exitCode: 0,
      stdout: null,
      stderr: null,
      files: {},
      error: null,
      durationMs: 1,
    });
    // Alternate the connections: each must see the cursors the other gave out.
    for (const [i, assignment] of sent.entries()) {
      await (i % 2 === 0 ? a : b).applyReports(host, [ok(assignment.replicaId)], 2 + i);
    }
    const cursors = (await a.listResults(job.id, 0, 10)).map((r) => r.cursor);
    expect(cursors).toHaveLength(4);
    expect(new Set(cursors).size).toBe(4);
    expect([...cursors].sort((x, y) => x - y)).toEqual(cursors);
    await a.close();
    await b.close();
  });
});
