import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDashboard } from '../dashboard.case.js';
import { SqliteStore } from './sqlite-store.js';

describeDashboard('sqlite', async () => {
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'anygrid-dash-')), 'test.db'));
  await store.migrate();
  return store;
});
