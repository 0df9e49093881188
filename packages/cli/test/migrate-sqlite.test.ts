/**
 * `anygrid migrate` on SQLite through the real CLI: a data directory without a store is an
 * error that says how a store comes to be (not a new, empty store "migrated" in full), and
 * an empty store file takes every migration once, listed as people read it.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './harness.js';

describe('anygrid migrate on SQLite (real CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anygrid-migrate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a data directory without a store, and creates none', async () => {
    const human = await runCli(['migrate', '--data', dir]);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain(
      `error NO_STORE: there is no store at ${join(dir, 'anygrid.db')}`,
    );
    expect(human.stderr).toContain(
      `next: a coordinator creates its store when it first starts (\`anygrid serve --data ${dir}\`)`,
    );
    const json = await runCli(['migrate', '--data', dir, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error.code).toBe('NO_STORE');
    const other = await runCli(['migrate', '--store', join(dir, 'elsewhere.db')]);
    expect(other.stderr).toContain(
      `(\`anygrid serve --store ${join(dir, 'elsewhere.db')}\`); to migrate another, name it with --data DIR or --store`,
    );
    expect((await runCli(['migrate', '--data', dir])).code).toBe(1);
  });

  it('migrates an empty store once, counting the migrations and naming the numbers never used', async () => {
    writeFileSync(join(dir, 'anygrid.db'), '');
    const first = await runCli(['migrate', '--data', dir]);
    expect(first.code, first.stderr).toBe(0);
    const line =
      /applied (\d+) migrations: (.*?)(?: \(no migration has the numbers? (.*)\))?$/m.exec(
        first.stdout,
      );
    const db = new Database(join(dir, 'anygrid.db'), { readonly: true });
    const versions = (
      db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as {
        version: number;
      }[]
    ).map((r) => r.version);
    db.close();
    expect(Number(line?.[1])).toBe(versions.length);
    // Every number up to the newest is either applied or said to be unused.
    const said = (text: string | undefined) =>
      (text ?? '').split(', ').flatMap((part) => {
        const [a, b] = part.split('–').map(Number);
        return b === undefined
          ? [a as number]
          : Array.from({ length: b - (a as number) + 1 }, (_, i) => (a as number) + i);
      });
    const unused = said(line?.[3]);
    expect(said(line?.[2])).toEqual(versions);
    expect([...versions, ...unused].sort((a, b) => a - b)).toEqual(
      Array.from({ length: Math.max(...versions) }, (_, i) => i + 1),
    );
    const again = await runCli(['migrate', '--data', dir]);
    expect(again.stdout).toContain(`${join(dir, 'anygrid.db')}: the schema is up to date`);
  });
});
