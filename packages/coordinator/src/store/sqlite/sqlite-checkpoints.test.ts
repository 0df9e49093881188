import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeCheckpoints } from '../checkpoints.case.js';
import { SqliteStore } from './sqlite-store.js';

describeCheckpoints('sqlite', async () => {
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'anygrid-ckpt-')), 'test.db'));
  await store.migrate();
  return store;
});
