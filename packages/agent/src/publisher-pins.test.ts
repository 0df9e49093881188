import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PublisherPins } from './publisher-pins.js';

const A = `ed25519:${'A'.repeat(43)}`;
const B = `ed25519:${'B'.repeat(42)}A`;

async function tempFile(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'pins-')), 'publisher-pins.json');
}

describe('PublisherPins', () => {
  it('keeps the first key pinned for a publisher, in memory and in its file (mode 600)', async () => {
    const file = await tempFile();
    const pins = await PublisherPins.load(file);
    expect(pins.get('acme')).toBeUndefined();
    await pins.pin('acme', A);
    await pins.pin('acme', B);
    expect(pins.get('acme')).toBe(A);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ acme: A });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await PublisherPins.load(file);
    expect(again.get('acme')).toBe(A);
  });

  it('lives in memory only without a file', async () => {
    const pins = await PublisherPins.load();
    await pins.pin('acme', A);
    expect(pins.entries()).toEqual([['acme', A]]);
  });

  it('refuses a pin file that does not map publisher names to keys', async () => {
    const file = await tempFile();
    await writeFile(file, JSON.stringify({ acme: 'not-a-key' }));
    await expect(PublisherPins.load(file)).rejects.toThrow(/not a publisher pinned/);
    await writeFile(file, '[]');
    await expect(PublisherPins.load(file)).rejects.toThrow(/not a JSON object/);
  });
});
