import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeLeadership } from '../leadership.case.js';
import { SqliteStore } from './sqlite-store.js';

// Two connections on one file, as two coordinator processes hold it.
describeLeadership('sqlite', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'anygrid-leadership-')), 'shared.db');
  const a = new SqliteStore(path);
  await a.migrate();
  const b = new SqliteStore(path);
  await b.migrate();
  return [a, b] as const;
});
