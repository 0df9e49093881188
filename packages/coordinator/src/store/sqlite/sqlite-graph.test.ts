import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeGraph } from '../graph.case.js';
import { SqliteStore } from './sqlite-store.js';

describeGraph('sqlite', async (again) => {
  const path = again ?? join(mkdtempSync(join(tmpdir(), 'anygrid-graph-')), 'g.db');
  const store = new SqliteStore(path);
  await store.migrate();
  return { store, path };
});
