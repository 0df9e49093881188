/**
 * @module
 * Publishers pinned to keys at first use, kept in a JSON file in the agent's data
 * directory (`{ "<publisher>": "ed25519:…" }`, mode 600) so a pin outlives restarts: a
 * coordinator cannot wait for a restart to slip in another key for a known publisher.
 * Without a file the pins last as long as the process. Pinning is decided and recorded
 * in memory at once, so two jobs naming one new publisher under two keys cannot both be
 * pinned; the file is rewritten after (written aside and renamed, so a crash leaves the
 * old file or the new one, never half of one).
 */

import { readFile, rename, writeFile } from 'node:fs/promises';
import { isPublicKeyText, PublisherName } from '@anygrid/protocol';

export class PublisherPins {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly pins: Map<string, string>,
    private readonly file: string | undefined,
  ) {}

  /** The pins saved in `file` (none when it does not exist yet); in memory only without a file. */
  static async load(file?: string): Promise<PublisherPins> {
    if (file === undefined) return new PublisherPins(new Map(), undefined);
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '{}';
      throw err;
    });
    return new PublisherPins(parsePins(text, file), file);
  }

  /** The key pinned for `publisher`, if any. */
  get(publisher: string): string | undefined {
    return this.pins.get(publisher);
  }

  /** Pins `publisher` to `publicKey` unless it is pinned already; resolves once saved. */
  pin(publisher: string, publicKey: string): Promise<void> {
    if (this.pins.has(publisher)) return this.writing;
    this.pins.set(publisher, publicKey);
    const file = this.file;
    if (file === undefined) return Promise.resolve();
    const text = `${JSON.stringify(Object.fromEntries(this.pins), null, 2)}\n`;
    this.writing = this.writing.then(async () => {
      const aside = `${file}.tmp`;
      await writeFile(aside, text, { mode: 0o600 });
      await rename(aside, file);
    });
    return this.writing;
  }

  /** Every pin, for display. */
  entries(): [string, string][] {
    return [...this.pins];
  }
}

/** Reads a pin file, refusing one that is not an object of publisher names to keys. */
function parsePins(text: string, file: string): Map<string, string> {
  const data: unknown = JSON.parse(text);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error(`${file} is not a JSON object of publisher names to keys`);
  }
  const pins = new Map<string, string>();
  for (const [publisher, key] of Object.entries(data)) {
    if (
      !PublisherName.safeParse(publisher).success ||
      typeof key !== 'string' ||
      !isPublicKeyText(key)
    ) {
      throw new Error(
        `${file}: ${JSON.stringify(publisher)} is not a publisher pinned to an ed25519: key`,
      );
    }
    pins.set(publisher, key);
  }
  return pins;
}
