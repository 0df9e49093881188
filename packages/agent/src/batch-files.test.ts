import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchFiles } from './batch-files.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Rec {
  id: number;
}

function open(dir: string) {
  return BatchFiles.open<Rec>({
    dir,
    logger: pino({ level: 'silent' }),
    parse: (v) => (Number.isSafeInteger((v as Rec)?.id) ? (v as Rec) : undefined),
    idOf: (r) => r.id,
    what: 'records',
  });
}

describe('BatchFiles', () => {
  it('keeps the released log small while records of one big file are settled bit by bit', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'anygrid-batches-')), 'b');
    dirs.push(dir);
    const { files } = await open(dir);
    const count = 100_000;
    await files.write(Array.from({ length: count }, (_, i) => ({ id: i + 1 })));
    // All but the last, a hundred at a time, as results are acknowledged.
    for (let from = 1; from < count; from += 100) {
      const ids = [];
      for (let id = from; id < Math.min(from + 100, count); id++) ids.push(id);
      files.settle(ids);
    }
    await files.idle();
    // Appending alone would have written ~590 KB of ids; compaction rewrote the file
    // with its live records and the log with the few ids settled since.
    expect(statSync(join(dir, 'released.log')).size).toBeLessThan(257 * 1024);
    const [file] = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(statSync(join(dir, file as string)).size).toBeLessThan(1000);
    const again = await open(dir);
    expect(again.records).toEqual([{ id: count }]);
    // Opening rewrote the log with what the one remaining file still needs.
    again.files.settle([count]);
    await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toEqual([]);
  });
});
