import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStore } from '../store.case.js';
import { SqliteStore } from './sqlite-store.js';

describeStore('sqlite', async () => {
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'anygrid-store-')), 'test.db'));
  await store.migrate();
  return store;
});
