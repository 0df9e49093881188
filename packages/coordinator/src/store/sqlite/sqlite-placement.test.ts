import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePlacement } from '../placement.case.js';
import { SqliteStore } from './sqlite-store.js';

describePlacement('sqlite', async () => {
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'anygrid-placement-')), 'test.db'));
  await store.migrate();
  return store;
});
