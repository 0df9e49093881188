/**
 * @module
 * The dev tokens `anygrid serve --dev` keeps in its data directory (requester.token,
 * provider.token, mode 600): created once, reused across restarts while the coordinator
 * still accepts them, recreated when the store was reset.
 */

import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Role } from '@anygrid/protocol';
import { Anygrid } from '@anygrid/sdk';

/** Path of a dev token file (`requester`, `provider`, `provider-2`, …) in `dataDir`. */
export function tokenFilePath(dataDir: string, name: string): string {
  return join(dataDir, `${name}.token`);
}

/**
 * Returns the token in DIR/NAME.token if the coordinator at `url` still accepts it with
 * `role`, else creates one with `create` and writes it (mode 600).
 */
export async function ensureTokenFile(
  dataDir: string,
  name: string,
  url: string,
  role: Role,
  create: () => Promise<string>,
): Promise<{ token: string; path: string; created: boolean }> {
  const path = tokenFilePath(dataDir, name);
  const existing = await readFile(path, 'utf8').then(
    (s) => s.trim(),
    () => '',
  );
  if (existing) {
    const who = await new Anygrid({ url, token: existing }).whoami().catch(() => undefined);
    if (who?.role === role) return { token: existing, path, created: false };
  }
  const token = await create();
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  return { token, path, created: true };
}
