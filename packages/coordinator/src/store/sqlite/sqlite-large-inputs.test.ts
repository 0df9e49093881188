import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../policy/index.js';
import { host, ok } from '../store.case.js';
import { SqliteStore } from './sqlite-store.js';

const BIG = { hash: 'b'.repeat(64), size: 50_000_000 };
const SMALL = { hash: 'c'.repeat(64), size: 100 };
const MODULE = { hash: 'a'.repeat(64), size: 10 };

describe('ready replicas carry their task large inputs', () => {
  it('from job creation, after a restart, and on a reissue', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'anygrid-large-')), 'test.db');
    const store = new SqliteStore(path);
    await store.migrate();
    const owner = await store.createToken('requester', 'req', 'r', undefined, 0);
    const prov = await store.createToken('provider', 'prov', 'p', undefined, 0);
    const h = await store.registerHost(prov.accountId, host, 0);
    const { changes } = await store.createJob(
      owner.accountId,
      {
        module: MODULE,
        policy: resolvePolicy({ redundancy: 1, maxErrors: 3 }),
        tasks: [
          { args: [], env: {}, stdin: BIG, files: { 'small.txt': SMALL } },
          { args: [], env: {}, files: { 'small.txt': SMALL } },
        ],
      },
      0,
    );
    expect(changes.ready.map((r) => r.large)).toEqual([[BIG], undefined]);
    await store.close();

    const reopened = new SqliteStore(path);
    await reopened.migrate();
    const ready = await reopened.readyReplicas();
    expect(ready.map((r) => r.large)).toEqual([[BIG], undefined]);

    const first = ready[0] as (typeof ready)[number];
    const [sent] = await reopened.assignReplicas(h, [first], 1);
    expect(sent?.replicaId).toBe(first.replicaId);
    const failed = {
      ...ok(first.replicaId),
      success: false,
      digest: null,
      exitCode: 1,
      error: { code: 'exit_code', message: 'exit 1' },
    };
    const { changes: after } = await reopened.applyReports(h, [failed], 2);
    expect(after.ready).toHaveLength(1);
    expect(after.ready[0]?.large).toEqual([BIG]);
    await reopened.close();
  });
});
