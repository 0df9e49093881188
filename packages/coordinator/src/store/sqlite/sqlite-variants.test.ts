import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeVariants } from '../variants.case.js';
import { SqliteStore } from './sqlite-store.js';

describeVariants('sqlite', async () => {
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'anygrid-variants-')), 'v.db'));
  await store.migrate();
  return store;
});
