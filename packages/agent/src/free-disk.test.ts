import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freeDiskBytes } from './free-disk.js';

describe('freeDiskBytes', () => {
  it('measures the file system of a directory, or of its nearest parent when it does not exist yet', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'free-disk-'));
    try {
      const here = await freeDiskBytes(dir);
      expect(here).toBeGreaterThan(0);
      expect(Number.isSafeInteger(here)).toBe(true);
      const later = await freeDiskBytes(join(dir, 'not', 'made', 'yet'));
      expect(later).toBeGreaterThan(0);
      // Same file system, measured a moment apart: within a few percent.
      expect(Math.abs((later as number) - (here as number))).toBeLessThan((here as number) * 0.05);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
