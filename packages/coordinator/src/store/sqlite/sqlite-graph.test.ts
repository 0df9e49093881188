import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeGraph } from '../graph.case.js';
import { SqliteStore } from './sqlite-store.js';

describeGraph('sqlite', async (path) => {
  const store = new SqliteStore(
    path ?? join(mkdtempSync(join(tmpdir(), 'anygrid-graph-')), 'g.db'),
  );
  await store.migrate();
  return store;
});
