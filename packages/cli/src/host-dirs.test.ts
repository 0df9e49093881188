import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { parseDirMapping, readHostDir, writeHostDir } from './host-dirs.js';

let tmp: string | undefined;
afterEach(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
  tmp = undefined;
});

describe('--dir mappings', () => {
  it('parses HOST::GUEST and mounts a bare HOST at /', () => {
    expect(parseDirMapping('data::/data')).toEqual({ host: 'data', guest: '/data' });
    expect(parseDirMapping('data::out/')).toEqual({ host: 'data', guest: '/out' });
    expect(parseDirMapping('./x')).toEqual({ host: './x', guest: '/' });
  });

  it('normalizes guest paths, which cannot climb above the guest root', () => {
    expect(parseDirMapping('x::/a/../../b').guest).toBe('/b');
    expect(() => parseDirMapping('::/data')).toThrow(CliError);
  });

  it('round-trips nested files and refuses names that escape', async () => {
    tmp = await mkdtemp(join(tmpdir(), 'anygrid-dirs-'));
    const bytes = new TextEncoder().encode('hi');
    const { written, refused } = await writeHostDir(tmp, { 'a/b.txt': bytes, '../evil': bytes });
    expect(written).toEqual(['a/b.txt']);
    expect(refused).toEqual(['../evil']);
    expect(await readFile(join(tmp, 'a', 'b.txt'), 'utf8')).toBe('hi');
    expect(Object.keys(await readHostDir(tmp))).toEqual(['a/b.txt']);
  });
});
