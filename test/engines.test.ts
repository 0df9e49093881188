/**
 * Every package a clean `npm ci` installs runs on the oldest Node the project declares:
 * an `engines.node` range in package-lock.json that refuses the root package.json's
 * minimum makes npm print EBADENGINE, and may mean code that does not run there.
 * Pinned versions (root `overrides`) keep such packages out; this test says which
 * package slipped back in when one does.
 */
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './repo-root.js';

interface LockEntry {
  readonly version?: string;
  readonly engines?: Record<string, string> | string[];
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(repoRoot, file), 'utf8'));

describe('engines', () => {
  const declared: string = readJson('package.json').engines.node;
  const minimum = semver.minVersion(declared);

  it("installs no package whose engines.node refuses the project's minimum Node", () => {
    const lock: { packages: Record<string, LockEntry> } = readJson('package-lock.json');
    expect(minimum, `root engines.node ${declared}`).not.toBeNull();
    const refusing = Object.entries(lock.packages).flatMap(([where, entry]) => {
      // npm also accepts the old array form, which carries no node range.
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (range === undefined || !minimum) return [];
      if (semver.satisfies(minimum, range, { includePrerelease: true })) return [];
      return [`${where || '(root)'}@${entry.version} requires node ${range}`];
    });
    expect(refusing, `declared engines.node ${declared}`).toEqual([]);
  });
});
